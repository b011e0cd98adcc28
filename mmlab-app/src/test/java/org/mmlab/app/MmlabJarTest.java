package org.mmlab.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end tests of the exported lab, {@code target/mmlab.jar}, run the way {@code ./mmlab -c}
 * and {@code ./mmlab FILE.gosh} run it: a fresh JVM per lab, no prompt, judged by exit code and
 * output.
 */
class MmlabJarTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void findTheJar() {
        assertThat(LabProcess.jar()).as("the exported lab; run `mvn package` first").isRegularFile();
    }

    private LabProcess.Run lab(String... properties) throws IOException, InterruptedException {
        return LabProcess.scripted(dir, properties);
    }

    private Path script(String text) throws IOException {
        return Files.writeString(dir.resolve("script.gosh"), text, UTF_8).toAbsolutePath();
    }

    @Test
    void aCommandRunsWithoutAPromptAndExitsZero() throws Exception {
        LabProcess.Run run = lab("mmlab.commands=mm:meminfo");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^MemTotal:\\s+\\d+ kB$");
        assertThat(run.out()).doesNotContain("g!");
    }

    @Test
    void aHeapTooSmallForTheDefaultGuestSaysSoAndWhatToDo() throws Exception {
        LabProcess.Run run = LabProcess.scripted(dir, List.of("-Xmx150m"), "mmlab.commands=mm:meminfo");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("memorySize=4 GiB needs 40 MiB of heap for its memmap")
                .contains("the heap is too small for this memory size")
                .contains("MMLAB_JAVA_OPTS=-Xmx1g").contains("choose a smaller memorySize (at most ");
        assertThat(run.out()).doesNotContain("MemTotal");
    }

    @Test
    void theJarsOwnDashCRunsAProgramAsTheScriptDoes() throws Exception {
        LabProcess.Run run = LabProcess.withArguments(dir, "-c", "mm:meminfo; mm:check");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^MemTotal:\\s+\\d+ kB$").doesNotContain("g!");
    }

    @Test
    void theJarsOwnScriptArgumentRunsTheFile() throws Exception {
        LabProcess.Run run = LabProcess.withArguments(dir, script("mm:meminfo\n").toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^MemTotal:\\s+\\d+ kB$");
    }

    @Test
    void wrongJarArgumentsExitTwoWithTheUsageInOneLine() throws Exception {
        LabProcess.Run run = LabProcess.withArguments(dir, "-c");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("mmlab: -c takes one program, quoted as one argument; "
                + "usage: java -jar mmlab.jar [-c 'CMD; CMD' | FILE.gosh | -h]");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void helpPrintsTheJarsUsageAndExitsZero() throws Exception {
        LabProcess.Run run = LabProcess.withArguments(dir, "-h");

        // it was "mmlab: unknown option -h; usage: ...", exit 2
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("usage: java -jar mmlab.jar ").contains("java -jar mmlab.jar -c 'CMD; CMD'");
        assertThat(run.err()).doesNotContain("unknown option");
    }

    @Test
    void anUnknownCommandExitsOneAndSaysCommandNotFound() throws Exception {
        LabProcess.Run run = lab("mmlab.commands=mm:nosuch");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("mmlab: mm:nosuch: command not found: mm:nosuch");
    }

    @Test
    void aScriptRunsItsStatementsInOrder() throws Exception {
        Path script = script("# two commands\nmm:meminfo\n\nmm:check\n");

        LabProcess.Run run = lab("mmlab.script=" + script);

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("MemTotal:", "mm:check: OK");
        assertThat(run.out().indexOf("MemTotal:")).isLessThan(run.out().indexOf("mm:check: OK"));
    }

    @Test
    void aFailingStatementStopsTheScriptAfterTheEarlierOutput() throws Exception {
        Path script = script("mm:meminfo\nmm:nosuch\nmm:check\n");

        LabProcess.Run run = lab("mmlab.script=" + script);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("MemTotal:").doesNotContain("mm:check:");
        assertThat(run.err()).contains("mmlab: mm:nosuch: command not found: mm:nosuch");
    }

    @Test
    void aStatementsValueIsPrintedLikeTheConsoleWould() throws Exception {
        LabProcess.Run run = lab("mmlab.commands=new java.lang.StringBuilder lab-value");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^lab-value$");
    }

    @Test
    void aMissingScriptFileExitsOneAndNamesTheFile() throws Exception {
        Path missing = dir.resolve("missing.gosh").toAbsolutePath();

        LabProcess.Run run = lab("mmlab.script=" + missing);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("mmlab: " + missing);
    }

    @Test
    void twoLabsRunSideBySide() throws Exception {
        Path script = script("mm:meminfo\n(new java.lang.Thread) sleep 1000\nmm:check\n");
        List<Process> labs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            labs.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dgosh.args=--nointeractive", "-Dmmlab.script=" + script, "-jar", LabProcess.jar().toString())
                    .redirectOutput(dir.resolve("side" + i + ".out").toFile())
                    .redirectErrorStream(true)
                    .start());
        }
        for (int i = 0; i < 2; i++) {
            Process lab = labs.get(i);
            assertThat(lab.waitFor(LabProcess.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            String output = Files.readString(dir.resolve("side" + i + ".out"), UTF_8);
            assertThat(lab.exitValue()).as(output).isZero();
            assertThat(output).contains("mm:check: OK");
        }
    }
}
