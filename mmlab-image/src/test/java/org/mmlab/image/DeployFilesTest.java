package org.mmlab.image;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/: the Kubernetes Jobs (the Indexed Job and the merge after it) checked against the Kubernetes API's schemas (deploy/check, its
 * npm packages installed by {@code npm ci --prefix deploy/check}, as .ci/run does), the Slurm array
 * job by bash and shellcheck, and in both the fields a sharded campaign depends on.
 */
class DeployFilesTest {

    private static final Path DEPLOY = Path.of(System.getProperty("mmlab.deploy", "../deploy"));
    private static final Path JOB = DEPLOY.resolve("kubernetes/mmlab-explore.yaml");
    private static final Path MERGE = DEPLOY.resolve("kubernetes/mmlab-merge.yaml");
    private static final Path SBATCH = DEPLOY.resolve("slurm/mmlab-explore.sbatch");

    @TempDir
    Path dir;

    @Test
    void theJobsPassTheKubernetesSchemas() throws Exception {
        Command check = validate(JOB, MERGE);

        assertThat(check.exit()).as(check.err()).isZero();
        assertThat(check.out().lines().map(l -> l.substring(l.indexOf(": ") + 2))).containsExactly(
                "PersistentVolumeClaim mmlab-results: valid", "Job mmlab-explore: valid", "Job mmlab-merge: valid");
    }

    @Test
    void theSchemaCheckRefusesAFieldOfTheWrongType() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.yaml"),
                Files.readString(JOB, UTF_8).replace("completions: 4", "completions: four"), UTF_8);

        Command check = validate(broken);

        assertThat(check.exit()).isEqualTo(1);
        assertThat(check.err().strip()).isEqualTo(broken + ": Job mmlab-explore: data/spec/completions must be integer");
    }

    @Test
    void eachPodTakesItsShardFromItsCompletionIndex() throws Exception {
        String job = Files.readString(JOB, UTF_8);

        assertThat(job).contains("completionMode: Indexed", "completions: 4", "value: \"4\"", "mountPath: /results",
                "--shard $(JOB_COMPLETION_INDEX)/$(SHARDS) --json /results/shard-$(JOB_COMPLETION_INDEX).jsonl");
    }

    @Test
    void theSlurmArrayJobPassesBashAndShellcheck() throws Exception {
        Command syntax = run(List.of("bash", "-n", SBATCH.toString()));
        assertThat(syntax.exit()).as(syntax.err()).isZero();

        Needs.require(Files.isExecutable(Path.of("/usr/bin/shellcheck")), "no /usr/bin/shellcheck: apt-get install shellcheck");
        Command lint = run(List.of("shellcheck", SBATCH.toString()));
        assertThat(lint.exit()).as(lint.out()).isZero();

        assertThat(Files.readString(SBATCH, UTF_8)).contains("#SBATCH --array=0-3", "SLURM_ARRAY_TASK_ID",
                "--shard $index/$shards --json /results/shard-$index.jsonl");
    }

    private Command validate(Path... manifests) throws IOException, InterruptedException {
        Needs.require(Files.isDirectory(DEPLOY.resolve("check/node_modules/kubernetes-models")),
                "no schema check's packages: npm ci --prefix deploy/check");
        List<String> command = new ArrayList<>(List.of("node", DEPLOY.resolve("check/validate.mjs").toString()));
        Stream.of(manifests).map(Path::toString).forEach(command::add);
        return run(command);
    }

    private Command run(List<String> command) throws IOException, InterruptedException {
        return Command.run(dir, command, 60);
    }
}
