package org.mmlab.cli.internal;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;

/**
 * {@code exit [CODE]}, as a shell's exit: a script stops at it and the interactive lab ends, and the
 * lab exits with CODE (0 without one). It replaces the exit Gogo's profile made of System.exit(int),
 * which refused a bare {@code exit}. Scope gogo, so that it is found first where SCOPE is gogo:*.
 */
@Component(service = ExitCommand.class,
        property = {"osgi.command.scope=gogo", "osgi.command.function=exit"})
public class ExitCommand {

    /** Ends the statement that ran exit; the session has the code. */
    static final class Ended extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Ended() {
            super("exit", null, false, false);
        }
    }

    @Descriptor("end the lab's shell with code 0: a script stops here, the interactive lab ends")
    public void exit() {
        end(0);
    }

    @Descriptor("end the lab's shell with an exit code: a script stops here, the interactive lab ends")
    public void exit(@Descriptor("the exit code, 0 to 255") String code) {
        if (code == null || !code.trim().matches("[0-9]{1,3}") || Integer.parseInt(code.trim()) > 255) {
            throw new IllegalArgumentException("exit code '" + code + "': give 0 to 255");
        }
        end(Integer.parseInt(code.trim()));
    }

    /**
     * The session is the one of the running command, not a parameter: Gogo passes a null argument
     * (exit $unset) for a session parameter too.
     */
    private static void end(int code) {
        CommandSession session = CommandSession.Utils.current();
        if (session == null || !(session.get(ShellSession.VARIABLE) instanceof ShellSession shell)) {
            throw new IllegalStateException("exit ends the lab's shell (./mmlab), and this is not one of its sessions");
        }
        shell.exit(code);
        throw new Ended();
    }
}
