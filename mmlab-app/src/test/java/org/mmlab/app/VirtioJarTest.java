package org.mmlab.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported lab has the default virtio-balloon device "0" from its first statement: a fresh lab
 * inflates it to 1 GiB from a one-line program (the acceptance of issue 4), and the host agrees.
 */
class VirtioJarTest {
    private static final long TIMEOUT_SECONDS = 120;
    /** Fresh labs started to catch a start-up race: before the fix 10 of 30 missed device 0. */
    private static final int FRESH_LABS = 12;

    @TempDir
    Path dir;

    /** Issue 10 item 4: no statement runs before the default device is up, in any lab. */
    @Test
    void deviceZeroIsThereAtTheFirstStatementOfEveryFreshLab() throws Exception {
        Path jar = Path.of(System.getProperty("mmlab.jar", "target/mmlab.jar"));
        for (int i = 0; i < FRESH_LABS; i++) {
            Path out = dir.resolve("first" + i + ".txt");
            Process lab = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dgosh.args=--nointeractive", "-Dmmlab.commands=balloon:info 0; virtio:devices", "-jar",
                    jar.toString()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectErrorStream(true).start();
            if (!lab.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                lab.destroyForcibly().waitFor();
                throw new AssertionError("lab " + i + " did not exit within " + TIMEOUT_SECONDS + " s");
            }
            String output = Files.readString(out, UTF_8);

            assertThat(lab.exitValue()).as("lab %d:%n%s", i, output).isZero();
            assertThat(output).as("lab %d", i).contains("virtio-balloon 0").containsPattern("(?m)^0\\s+virtio0\\s");
        }
    }

    @Test
    void aFreshLabInflatesDeviceZeroToOneGigabyteAndTheHostHoldsExactlyThat() throws Exception {
        Path jar = Path.of(System.getProperty("mmlab.jar", "target/mmlab.jar"));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process lab = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dgosh.args=--nointeractive",
                "-Dmmlab.commands=virtio:target 0 1G; virtio:host 0; virtio:target 0 0; mm:check", "-jar",
                jar.toString()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!lab.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            lab.destroyForcibly().waitFor();
            throw new AssertionError("the lab did not exit within " + TIMEOUT_SECONDS + " s");
        }
        String stdout = Files.readString(out, UTF_8);

        assertThat(lab.exitValue()).as("stdout:%n%s%nstderr:%n%s", stdout, Files.readString(err, UTF_8)).isZero();
        assertThat(stdout).contains("device 0: 262144 pages (1 GiB) in the balloon, host holds 262144")
                .containsPattern("(?m)^held\\s+262144 frames$")
                .contains("device 0: 0 pages")
                .contains("mm:check: OK");
    }
}
