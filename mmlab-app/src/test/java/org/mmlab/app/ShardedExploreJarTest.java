package org.mmlab.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.json.Json;

/**
 * Issue 17's proof that the split is exact: a campaign run as 4 shards, each in a lab of its own (as a batch
 * engine's array runs them), and merged, is the campaign run in one lab, schedule for schedule: the same
 * runs, each with the same schedule, decisions, trace and finding. Race 7's threads wait for nothing outside
 * the run (no host, no probe), so a schedule decides its run.
 */
class ShardedExploreJarTest {
    static final int RUNS = 200;
    static final int SHARDS = 4;
    /** PCT's k, given: each lab would estimate its own. */
    static final String CAMPAIGN = "lab:explore isolation-vs-free --strategy pct --seed 1 --runs " + RUNS
            + " --depth 3 --steps 26";
    /**
     * A bound for a lab that hangs, not a timing: five labs at once on a shared machine (about 20 s when it is
     * idle; runs took 1.1 s each, not 0.06, under a parallel build).
     */
    static final long SECONDS = 600;

    @TempDir
    Path dir;

    @Test
    void fourShardsInFourLabsRunExactlyTheSchedulesOfOneLab() throws Exception {
        Path whole = dir.resolve("whole.jsonl");
        List<LabProcess.Started> labs = new ArrayList<>();
        labs.add(LabProcess.start(dir, "mmlab.commands=" + CAMPAIGN + " --json " + whole));
        List<String> shardFiles = new ArrayList<>();
        for (int i = 0; i < SHARDS; i++) {
            Path file = dir.resolve("shard-" + i + ".jsonl");
            shardFiles.add(file.toString());
            labs.add(LabProcess.start(dir, "mmlab.commands=" + CAMPAIGN + " --shard " + i + "/" + SHARDS + " --json "
                    + file));
        }
        for (LabProcess.Started lab : labs) {
            LabProcess.Run run = lab.await(SECONDS);
            assertThat(run.exit()).as(run.err()).isZero();
        }

        Map<Long, List<Object>> one = runs(whole);
        Map<Long, List<Object>> merged = new TreeMap<>();
        for (int i = 0; i < SHARDS; i++) {
            Map<Long, List<Object>> shard = runs(Path.of(shardFiles.get(i)));
            int index = i;
            assertThat(shard.keySet()).as("shard %d/%d's runs", i, SHARDS).allMatch(k -> k % SHARDS == index)
                    .hasSize(RUNS / SHARDS);
            merged.putAll(shard);
        }
        assertThat(one).hasSize(RUNS);
        assertThat(merged).isEqualTo(one);
        assertThat(one.values()).as("the campaign finds the race, so findings are compared too")
                .anyMatch(r -> r.get(1).equals("reproduced"));

        LabProcess.Run merge = LabProcess.scripted(dir, "mmlab.commands=lab:merge " + String.join(" ", shardFiles)
                + "; lab:merge " + whole);
        assertThat(merge.exit()).as(merge.err()).isZero();
        String[] both = merge.out().split("(?m)^(?=merged )");
        assertThat(both).hasSize(2);
        assertThat(both[0]).startsWith("merged 4 files: " + RUNS + " runs of 1 campaign\n")
                .contains(" runs, 4 shards of 4: clean ");
        assertThat(both[0].replace(", 4 shards of 4", "").lines().skip(1).toList())
                .isEqualTo(both[1].lines().skip(1).toList());
    }

    /** Each run record of the file by its index: schedule, outcome, finding, decisions, trace. */
    private static Map<Long, List<Object>> runs(Path file) throws Exception {
        Map<Long, List<Object>> runs = new TreeMap<>();
        for (String line : Files.readAllLines(file, UTF_8)) {
            Map<String, Object> r = new Json().toType(line, Json.MAP_TYPE);
            if (r.get("type").equals("run")) {
                List<Object> run = new ArrayList<>();
                for (String field : List.of("schedule", "outcome", "signature", "decisions", "trace", "traceHash")) {
                    run.add(r.get(field));
                }
                assertThat(runs.put((Long) r.get("index"), run)).as("run %s twice in %s", r.get("index"), file).isNull();
            }
        }
        return runs;
    }
}
