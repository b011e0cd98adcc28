package org.mmlab.itest;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A Gogo session whose output a test can read: what a command prints to System.out (routed to the
 * session by Gogo's ThreadIO) comes back as the result of {@link #run(String)}.
 */
final class GogoSession implements AutoCloseable {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CommandSession session;

    GogoSession(CommandProcessor processor) {
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, UTF_8),
                System.err);
    }

    /** Runs {@code command} and returns what it printed; a failing command throws. */
    String run(String command) throws Exception {
        out.reset();
        session.execute(command);
        session.getConsole().flush();
        return out.toString(UTF_8);
    }

    /**
     * {@link #run(String)} on a thread of its own, failing with where it is (rather than hanging the build)
     * if it has not ended within boundMs: a bound for a command that never ends (a deadlock), not a timing
     * claim.
     */
    String run(String command, long boundMs) throws Exception {
        FutureTask<String> run = new FutureTask<>(() -> run(command));
        Thread t = new Thread(run, "gogo: " + command);
        t.setDaemon(true);
        t.start();
        try {
            return run.get(boundMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new AssertionError(command + " did not end within " + boundMs / 1000 + " s (a deadlock?): it is at "
                    + List.of(t.getStackTrace()), e);
        }
    }

    /** Runs {@code command} and returns its value, which the shell would print (Gogo's help returns its text). */
    Object value(String command) throws Exception {
        return session.execute(command);
    }

    /** What the last command printed, also when it failed (mm:check prints its report, then throws). */
    String lastOutput() {
        session.getConsole().flush();
        return out.toString(UTF_8);
    }

    @Override
    public void close() {
        session.close();
    }

    /**
     * An open tracker of the command services of Gogo scope {@code scope}, whatever their class:
     * when it holds one, the scope's commands are registered with Gogo.
     */
    static ServiceTracker<Object, Object> commandServices(BundleContext context, String scope)
            throws InvalidSyntaxException {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context,
                context.createFilter("(" + CommandProcessor.COMMAND_SCOPE + "=" + scope + ")"), null);
        tracker.open(true);
        return tracker;
    }

    /**
     * Waits (bounded) until Gogo has the command scope:function. A reboot of the guest takes away the
     * commands whose services need it (the race lab's among them), and DS registers them again on its
     * own thread, so a test that follows a reboot (a storm's own, or a test's before) waits for them.
     */
    static void awaitCommand(BundleContext context, String scope, String function) throws Exception {
        ServiceTracker<Object, Object> commands = commandServices(context, scope);
        try {
            Await.until(scope + ":" + function + " registered", () -> commands.getTracked().keySet().stream()
                    .map(ref -> ref.getProperty(CommandProcessor.COMMAND_FUNCTION))
                    .anyMatch(f -> List.of(f instanceof String[] names ? names : new String[] {String.valueOf(f)})
                            .contains(function)));
        } finally {
            commands.close();
        }
    }

    /** The innermost cause: Gogo may wrap what a command threw. */
    static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
