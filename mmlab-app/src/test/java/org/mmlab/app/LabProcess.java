package org.mmlab.app;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One run of the exported lab, {@code target/mmlab.jar}, in a fresh JVM, as {@code ./mmlab} starts it. */
final class LabProcess {
    static final long TIMEOUT_SECONDS = 120;
    /** Felix HTTP's port (the lab's default 8080): 0 lets the system pick a free one. */
    static final String HTTP_PORT = "org.osgi.service.http.port";

    /** Exit code, stdout and stderr of one lab run. */
    record Run(int exit, String out, String err) {}

    private LabProcess() {}

    static Path jar() {
        return Path.of(System.getProperty("mmlab.jar", "target/mmlab.jar")).toAbsolutePath();
    }

    /** A scripted lab (as ./mmlab -c and ./mmlab FILE): Gogo's console off, these -D properties, no input. */
    static Run scripted(Path dir, String... properties) throws IOException, InterruptedException {
        return scripted(dir, List.of(), properties);
    }

    /** The same with these JVM options first (as MMLAB_JAVA_OPTS gives them, e.g. -Xmx150m). */
    static Run scripted(Path dir, List<String> jvmOptions, String... properties)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(jvmOptions);
        args.addAll(scriptedArgs(properties));
        return run(dir, new File("/dev/null"), args, List.of());
    }

    /** The jar run with its own command line, {@code java -jar mmlab.jar ARGS} (as the OCI image runs it), no input. */
    static Run withArguments(Path dir, String... arguments) throws IOException, InterruptedException {
        return run(dir, new File("/dev/null"), List.of(), List.of(arguments));
    }

    /** The interactive lab (as ./mmlab), with {@code typed} as what the user types, then the end of input. */
    static Run interactive(Path dir, String typed) throws IOException, InterruptedException {
        Path input = Files.writeString(Files.createTempFile(dir, "typed", ".txt"), typed, UTF_8);
        return run(dir, input.toFile(), List.of(), List.of());
    }

    private static Run run(Path dir, File input, List<String> jvmArgs, List<String> jarArgs)
            throws IOException, InterruptedException {
        return start(dir, input, jvmArgs, jarArgs).await(TIMEOUT_SECONDS);
    }

    /** A scripted lab started, not awaited: several run at once, as the shards of a campaign on a batch engine. */
    static Started start(Path dir, String... properties) throws IOException {
        return start(dir, new File("/dev/null"), scriptedArgs(properties), List.of());
    }

    /** No console, and these -D properties. */
    private static List<String> scriptedArgs(String... properties) {
        List<String> args = new ArrayList<>();
        args.add("-Dgosh.args=--nointeractive");
        for (String property : properties) {
            args.add("-D" + property);
        }
        return args;
    }

    private static Started start(Path dir, File input, List<String> jvmArgs, List<String> jarArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // each lab serves its page on a port the system picks: labs of other builds run on this machine too
        command.add("-D" + HTTP_PORT + "=0");
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(jarArgs);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile()) // its drivers/ folder is made there, not in the build's tree
                .redirectInput(ProcessBuilder.Redirect.from(input))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        return new Started(process, command, out, err);
    }

    /** A lab that runs. */
    record Started(Process process, List<String> command, Path out, Path err) {
        /** Its run, once it has exited; a lab still running after {@code seconds} is killed and fails the test. */
        Run await(long seconds) throws IOException, InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("the lab did not exit within " + seconds + " s: " + command
                        + "\nstdout:\n" + Files.readString(out, UTF_8) + "\nstderr:\n" + Files.readString(err, UTF_8));
            }
            return new Run(process.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
        }
    }
}
