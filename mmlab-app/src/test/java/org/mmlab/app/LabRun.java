package org.mmlab.app;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the exported lab on a one-line program, as mmlab -c does, and keeps what it printed. */
final class LabRun {
    private static final long TIMEOUT_SECONDS = 120;

    private LabRun() {
    }

    /** What the lab printed and how it exited. */
    record Run(int exitValue, String stdout, String stderr) {
        @Override
        public String toString() {
            return String.format("exit %d%nstdout:%n%s%nstderr:%n%s", exitValue, stdout, stderr);
        }
    }

    /** Runs target/mmlab.jar on these commands, without a prompt; its output goes to files in dir. */
    static Run run(Path dir, String commands) throws Exception {
        Path jar = Path.of(System.getProperty("mmlab.jar", "target/mmlab.jar"));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process lab = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dgosh.args=--nointeractive", "-Dmmlab.commands=" + commands, "-jar", jar.toString()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!lab.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            lab.destroyForcibly().waitFor();
            throw new AssertionError("the lab did not exit within " + TIMEOUT_SECONDS + " s: " + commands);
        }
        return new Run(lab.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
    }
}
