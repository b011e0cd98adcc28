package org.mmlab.cli.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.mmlab.cli.LabShell;

/**
 * The interactive lab: reads a line ({@link ConsoleInput}: JLine's line editor, completion and history
 * on a terminal, plain lines from a pipe), runs it in a session of the lab's shell, says why it
 * failed in one line, and again, until {@code exit} or the end of input (Ctrl-D). It takes the place
 * of Gogo's console, which names a failure by its Java class ("IllegalArgumentException: ...").
 */
final class Console {

    static final String PROMPT = "g! ";

    private final LabShell shell;
    private final BooleanSupplier stopped;
    private final PrintStream out;
    private final PrintStream err;

    Console(LabShell shell, BooleanSupplier stopped, PrintStream out, PrintStream err) {
        this.shell = shell;
        this.stopped = stopped;
        this.out = out;
        this.err = err;
    }

    /**
     * @param input  where the lines come from
     * @param banner what the bundles tell a person under the greeting, e.g. where the lab's page is
     * @return the lab's exit code: exit's, or 0 at the end of input
     */
    int run(ConsoleInput input, List<String> banner) throws IOException {
        out.println("mmlab: the lab is up. help lists the commands and help NAME shows one; exit or Ctrl-D ends it.");
        banner.forEach(line -> out.println("mmlab: " + line));
        try (input; LabShell.Session session = shell.open(input.stream(), out, err)) {
            while (!stopped.getAsBoolean()) {
                String line = input.readLine(PROMPT);
                if (line == null) {
                    out.println();
                    return 0;
                }
                if (line.isBlank()) {
                    continue;
                }
                Optional<String> failure = session.run(line);
                if (session.exitCode().isPresent()) {
                    return session.exitCode().getAsInt();
                }
                failure.ifPresent(why -> err.println("mmlab: " + why));
            }
            return 0;
        }
    }
}
