package org.mmlab.cli.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.apache.felix.gogo.runtime.CommandNotFoundException;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * The non-interactive side of {@code ./mmlab}: runs the Gogo program in framework property
 * {@value #COMMANDS}, or the script file named by {@value #SCRIPT}, once the lab has started, then
 * stops the framework and ends the JVM with 0 if every statement succeeded and 1 otherwise.
 * Without either property it does nothing, and the lab is the interactive Gogo shell.
 * <p>
 * Rules:
 * <ol>
 * <li>No statement runs before every bundle is started and every component is up with its
 * configurations ({@link LabReadiness}); a component that failed to activate ends the run at once.</li>
 * <li>Statements run one at a time in one session; the first that throws ends the run.</li>
 * <li>Under the bnd launcher the run is the launcher's main-thread {@code Callable<Integer>}: the
 * launcher stops the framework and exits with the returned code, so its own exit code 117 (framework
 * stopped) never leaks out. Under any other launcher a thread of ours runs it and calls
 * System.exit with the code (see {@link #exit(int)}).</li>
 * <li>A scripted lab never reads the console: unless {@code gosh.args} is set, it becomes
 * {@code --nointeractive} before the Gogo shell (a higher start level) looks at it.</li>
 * </ol>
 */
@Component(service = {}, immediate = true)
public class ScriptRunner {

    static final String COMMANDS = "mmlab.commands";
    static final String SCRIPT = "mmlab.script";
    /** Seconds to wait for the lab to start; default 60. */
    static final String TIMEOUT = "mmlab.timeout";

    private static final String GOSH_ARGS = "gosh.args";

    /** Service class the bnd launcher registers itself under. */
    private static final String BND_LAUNCHER = "aQute.launcher.Launcher";

    // the process's own streams, not the ThreadIO-multiplexed System.out/err that Gogo installs
    private final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, UTF_8);
    private final PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, UTF_8);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile CommandProcessor processor;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServiceComponentRuntime scr;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configAdmin;

    private volatile boolean closed;
    private BundleContext context;
    private LabReadiness readiness;
    private ServiceRegistration<?> mainThread;

    @Activate
    void activate(BundleContext context) throws InvalidSyntaxException {
        String commands = context.getProperty(COMMANDS);
        String script = context.getProperty(SCRIPT);
        if (commands == null && script == null) {
            return; // interactive lab
        }
        if (context.getProperty(GOSH_ARGS) == null) {
            // The shell starts at a higher start level than this bundle and reads gosh.args through
            // BundleContext.getProperty, which falls back to system properties. Without this, a
            // scripted `java -jar mmlab.jar` also starts the console, which on EOF stops the lab
            // under the running script.
            System.setProperty(GOSH_ARGS, "--nointeractive");
        }
        this.context = context;
        this.readiness = new LabReadiness(context, () -> scr, () -> configAdmin);
        Callable<Integer> run = new Run(commands, script);
        if (context.getAllServiceReferences(BND_LAUNCHER, null) != null) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("main.thread", Boolean.TRUE);
            mainThread = context.registerService(Callable.class, run, props);
        } else {
            Thread thread = new Thread(() -> exit(call(run)), "mmlab-script");
            thread.start();
        }
    }

    @Deactivate
    void deactivate() {
        closed = true;
        if (readiness != null) {
            readiness.close();
        }
        if (mainThread != null) {
            try {
                mainThread.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the launcher may have taken it already
            }
        }
    }

    /** The main-thread job handed to the bnd launcher; public so the launcher can reflect on it. */
    public final class Run implements Callable<Integer> {
        private final String commands;
        private final String script;

        Run(String commands, String script) {
            this.commands = commands;
            this.script = script;
        }

        @Override
        public Integer call() {
            try {
                return runProgram(commands, script);
            } finally {
                System.out.flush();
                System.err.flush();
                out.flush();
                err.flush();
            }
        }
    }

    private int runProgram(String commands, String script) {
        String source = commands != null ? commands : script;
        List<String> statements;
        try {
            String program = commands != null ? commands : Files.readString(Path.of(script), UTF_8);
            statements = Statements.split(program);
        } catch (IOException | RuntimeException e) {
            err.println("mmlab: " + source + ": " + message(e));
            return 1;
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds());
        String problem = awaitLab(deadline);
        if (problem != null) {
            err.println("mmlab: " + problem);
            return 1;
        }
        return execute(statements);
    }

    /** @return null when the lab is ready, else why no statement can run */
    private String awaitLab(long deadline) {
        LabReadiness.Status status;
        while (true) {
            status = readiness.check();
            if (status.ready() && processor != null) {
                return null;
            }
            if (status.failed()) {
                return status.reason();
            }
            if (closed) {
                return "the lab stopped before the program ran";
            }
            if (System.nanoTime() - deadline > 0) {
                String waitingFor = status.ready() ? "a Gogo CommandProcessor service" : status.reason();
                return "the lab did not start within " + timeoutSeconds() + " s; still waiting for " + waitingFor;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for the lab to start";
            }
        }
    }

    private int execute(List<String> statements) {
        CommandSession session = processor.createSession(new FileInputStream(FileDescriptor.in), out, err);
        try {
            for (String statement : statements) {
                try {
                    Object value = session.execute(statement);
                    if (value != null) {
                        out.println(session.format(value, Converter.INSPECT));
                    }
                } catch (Exception | Error e) {
                    System.out.flush();
                    out.flush();
                    err.println("mmlab: " + statement + ": " + message(e));
                    // a delayed component fails only when first used: say which one, and why
                    LabReadiness.Status status = readiness.check();
                    if (status.failed()) {
                        err.println("mmlab: " + status.reason());
                    }
                    return 1;
                }
            }
            return 0;
        } finally {
            session.close();
        }
    }

    /** The root cause's message, or {@code command not found: NAME} for Gogo's lookup failure. */
    static String message(Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CommandNotFoundException) {
                return "command not found: " + ((CommandNotFoundException) t).getCommand();
            }
            root = t;
            if (t.getCause() == t) {
                break;
            }
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getName() : message;
    }

    private long timeoutSeconds() {
        String value = context.getProperty(TIMEOUT);
        try {
            return value == null ? 60 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 60;
        }
    }

    private int call(Callable<Integer> run) {
        try {
            return run.call();
        } catch (Exception e) {
            err.println("mmlab: " + message(e));
            return 1;
        }
    }

    /**
     * Without the bnd launcher: end the JVM with {@code code} while the framework still runs. A
     * launcher that waits for the framework to stop typically exits with its own code the moment it
     * has, so stopping first would let it win; Felix's own main stops the framework in its shutdown
     * hook, which System.exit runs.
     */
    private void exit(int code) {
        System.exit(code);
    }
}
