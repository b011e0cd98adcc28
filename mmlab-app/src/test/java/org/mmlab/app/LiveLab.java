package org.mmlab.app;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The interactive lab (as ./mmlab starts it) kept running while a test types into it and reads what
 * it prints, line by line: for tests that look at the lab from outside while it runs (its web page).
 */
final class LiveLab implements AutoCloseable {

    private final Process process;
    private final PrintStream typing;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private int marks;

    private LiveLab(Process process) {
        this.process = process;
        this.typing = new PrintStream(process.getOutputStream(), true, UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(the lab's output broke: " + e.getMessage() + ")");
            }
        }, "lab-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the lab with these -D properties; its page on a port the system picks, stderr in dir. */
    static LiveLab start(Path dir, String... properties) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + LabProcess.HTTP_PORT + "=0"));
        for (String p : properties) {
            command.add("-D" + p);
        }
        command.addAll(List.of("-jar", LabProcess.jar().toString()));
        Path err = Files.createTempFile(dir, "err", ".txt");
        // its drivers/ folder is made in dir, not in the build's tree
        return new LiveLab(new ProcessBuilder(command).directory(dir.toFile()).redirectError(err.toFile()).start());
    }

    /** The first line printed (from now on) that matches, within the lab's time-out. */
    String awaitLine(Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LabProcess.TIMEOUT_SECONDS);
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("the lab printed no line that was wanted within " + LabProcess.TIMEOUT_SECONDS
                        + " s; it printed:\n" + String.join("\n", seen));
            }
            seen.add(line);
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    /** The URL a greeting line names after {@code label}, e.g. "the lab's page: ". */
    String address(String label) throws InterruptedException {
        String line = awaitLine(l -> l.contains(label));
        return line.substring(line.indexOf(label) + label.length()).split("\\s+")[0];
    }

    /** Types a statement and waits until it has run: the lines it printed. */
    List<String> run(String statement) throws InterruptedException {
        String mark = "mark-" + ++marks;
        int from = seen.size();
        typing.println(statement);
        typing.println("echo " + mark);
        awaitLine(l -> l.endsWith(mark));
        return List.copyOf(seen.subList(from, seen.size()));
    }

    /**
     * Runs a statement again and again until what it printed (one string) satisfies wanted, within the
     * lab's time-out: for what another thread of the lab does in its own time (FileInstall's look at its
     * folder). The last output.
     */
    String awaitOutput(String statement, Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LabProcess.TIMEOUT_SECONDS);
        while (true) {
            String out = String.join("\n", run(statement));
            if (wanted.test(out)) {
                return out;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("`" + statement + "` never printed what was wanted within "
                        + LabProcess.TIMEOUT_SECONDS + " s; last:\n" + out);
            }
            Thread.sleep(POLL_MS);
        }
    }

    /** How often awaitOutput asks again: FileInstall looks at the drivers folder every 500 ms. */
    private static final long POLL_MS = 100;

    @Override
    public void close() throws InterruptedException {
        typing.println("exit");
        typing.close();
        if (!process.waitFor(LabProcess.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
