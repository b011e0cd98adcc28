package org.mmlab.cli.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedSet;
import java.util.TreeSet;

import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interactive lab's input as a person types it: Tab completes commands and scopes, history lasts. */
class ConsoleInputTest {

    private static final SortedSet<String> COMMANDS = new TreeSet<>(java.util.List.of(
            "mm:compact", "mm:check", "mm:meminfo", "virtio:target", "gogo:type"));

    @TempDir
    Path dir;

    @Test
    void tabCompletesAScopedCommandName() throws IOException {
        assertThat(typed("mm:comp\t\r")).isEqualTo("mm:compact ");
    }

    @Test
    void tabCompletesACommandWithoutItsScope() throws IOException {
        assertThat(typed("tar\t\r")).isEqualTo("target ");
    }

    @Test
    void tabCompletesAScopeWithoutASpaceSoItsCommandsFollow() throws IOException {
        assertThat(typed("virt\t\r")).isEqualTo("virtio:");
    }

    @Test
    void onlyTheFirstWordOfAStatementIsACommand() throws IOException {
        assertThat(typed("mm:check comp\t\r")).isEqualTo("mm:check comp");
        assertThat(typed("mm:check; mm:me\t\r")).isEqualTo("mm:check; mm:meminfo ");
    }

    @Test
    void historyIsKeptAcrossRuns() throws IOException {
        Path history = dir.resolve("history");
        typed("mm:check\r", history);

        // Ctrl-P (up-line-or-history, as the up arrow) brings the last run's line back
        assertThat(typed("\020\r", history)).isEqualTo("mm:check");
        assertThat(Files.readString(history, UTF_8)).contains("mm:check");
    }

    @Test
    void plainInputFromAPipeReadsLinesAsTheyCome() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ConsoleInput input = ConsoleInput.plain(new ByteArrayInputStream("mm:comp\t\nexit\n".getBytes(UTF_8)),
                new PrintStream(out, true, UTF_8))) {
            assertThat(input.readLine("g! ")).isEqualTo("mm:comp\t");
            assertThat(input.readLine("g! ")).isEqualTo("exit");
            assertThat(input.readLine("g! ")).isNull();
        }
        assertThat(out.toString(UTF_8)).isEqualTo("g! g! g! ");
    }

    private String typed(String keys) throws IOException {
        return typed(keys, dir.resolve("unused-history"));
    }

    /** What readLine returns after these keys; the keyboard stays open, as a person's does. */
    private String typed(String keys, Path history) throws IOException {
        PipedInputStream keyboard = new PipedInputStream();
        try (PipedOutputStream typing = new PipedOutputStream(keyboard)) {
            Terminal terminal = TerminalBuilder.builder().system(false).type("xterm")
                    .streams(keyboard, new ByteArrayOutputStream()).build();
            typing.write(keys.getBytes(UTF_8));
            typing.flush();
            try (ConsoleInput input = ConsoleInput.jline(terminal, () -> COMMANDS, history)) {
                return input.readLine("g! ");
            }
        }
    }
}
