package org.mmlab.cli.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SortedSet;
import java.util.function.Supplier;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Where the interactive lab's lines come from. On a terminal, JLine's line editor: completion of
 * command names and scopes ({@link CommandCompleter}), history kept across runs in
 * {@value #HISTORY} in the user's home, Ctrl-C drops the line being typed. From a pipe or a file,
 * plain lines, nothing echoed, so that what a program feeds the lab reads as before.
 */
interface ConsoleInput extends Closeable {

    /** The history file, in the user's home. */
    String HISTORY = ".mmlab_history";

    /** The next line, or null at the end of input. */
    String readLine(String prompt) throws IOException;

    /** What a command that reads its input reads. */
    InputStream stream();

    /** JLine on this process's terminal if it has one, else plain lines from standard input. */
    static ConsoleInput open(Supplier<SortedSet<String>> commands, PrintStream out) throws IOException {
        if (System.console() == null) {
            return plain(new FileInputStream(FileDescriptor.in), out);
        }
        // JLine finds its terminal providers (exec, jni, ...) as resources of the context class loader:
        // in OSGi that must be JLine's bundle, or the terminal is a dumb one without line editing
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(Terminal.class.getClassLoader());
        try {
            Terminal terminal = TerminalBuilder.builder().name("mmlab").system(true).dumb(true).build();
            return jline(terminal, commands, Path.of(System.getProperty("user.home"), HISTORY));
        } finally {
            thread.setContextClassLoader(context);
        }
    }

    /** JLine's line editor on {@code terminal}, with the lab's completion and this history file. */
    static ConsoleInput jline(Terminal terminal, Supplier<SortedSet<String>> commands, Path history) {
        LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("mmlab")
                .completer(new CommandCompleter(commands))
                .variable(LineReader.HISTORY_FILE, history)
                .variable(LineReader.HISTORY_SIZE, 1000)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // a ! in a statement is the statement's
                .build();
        return new ConsoleInput() {
            @Override
            public String readLine(String prompt) {
                try {
                    return reader.readLine(prompt);
                } catch (UserInterruptException e) {
                    return ""; // Ctrl-C: the line is dropped, the lab goes on
                } catch (EndOfFileException e) {
                    return null;
                }
            }

            @Override
            public InputStream stream() {
                return terminal.input();
            }

            @Override
            public void close() throws IOException {
                reader.getHistory().save();
                terminal.close();
            }
        };
    }

    /** Plain lines from {@code in}, the prompt printed on {@code out}. */
    static ConsoleInput plain(InputStream in, PrintStream out) {
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, UTF_8));
        return new ConsoleInput() {
            @Override
            public String readLine(String prompt) throws IOException {
                out.print(prompt);
                out.flush();
                return lines.readLine();
            }

            @Override
            public InputStream stream() {
                return in;
            }

            @Override
            public void close() {
                // standard input stays open: it is the process's
            }
        };
    }
}
