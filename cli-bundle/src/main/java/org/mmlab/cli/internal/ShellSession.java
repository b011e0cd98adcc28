package org.mmlab.cli.internal;

import java.util.Optional;
import java.util.OptionalInt;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.mmlab.cli.LabShell;

/**
 * A session of the lab's shell: one Gogo session, its statements' values printed as the console
 * would print them, its failures turned into one line ({@link FailureMessage}), and {@code exit}
 * ({@link ExitCommand}) recorded.
 */
final class ShellSession implements LabShell.Session {

    /** The session variable through which {@code exit} finds the lab's session it runs in. */
    static final String VARIABLE = ".mmlab.shell";

    private final CommandSession session;
    private final CommandServices commands;
    private volatile Integer exitCode;

    ShellSession(CommandSession session, CommandServices commands) {
        this.session = session;
        this.commands = commands;
        session.put(VARIABLE, this);
    }

    @Override
    public Optional<String> run(String statement) {
        if (exitCode != null) {
            return Optional.of("the session has ended: exit ran");
        }
        try {
            Object value = session.execute(statement);
            if (value != null && exitCode == null) {
                session.getConsole().println(session.format(value, Converter.INSPECT));
            }
            return Optional.empty();
        } catch (Exception | Error e) {
            return exitCode != null ? Optional.empty()
                    : Optional.of(FailureMessage.of(e, statement, commands::usages));
        } finally {
            session.getConsole().flush();
        }
    }

    @Override
    public OptionalInt exitCode() {
        Integer code = exitCode;
        return code == null ? OptionalInt.empty() : OptionalInt.of(code);
    }

    /** {@code exit CODE} ran in this session. */
    void exit(int code) {
        exitCode = code;
    }

    @Override
    public void close() {
        session.close();
    }
}
