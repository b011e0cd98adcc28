package org.mmlab.cli.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.mmlab.cli.Banner;
import org.mmlab.cli.LabShell;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
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
 * What {@code ./mmlab} runs once the lab has started: the Gogo program in framework property
 * {@value #COMMANDS}, the script file named by {@value #SCRIPT}, or, with neither, the lab's
 * interactive {@link Console}. It then stops the framework and ends the JVM with 0 if every statement
 * succeeded, 1 otherwise, or the code {@code exit} gave.
 * <p>
 * Rules:
 * <ol>
 * <li>No statement runs before every bundle is started and every enabled component is up with its
 * configurations ({@link LabReadiness}); a component that failed to activate ends the run at once.</li>
 * <li>Statements run one at a time in one session of the lab's shell ({@link LabShell}); the first
 * that fails ends the run, with one line on stderr: {@code mmlab: STATEMENT: WHY}. A program or
 * script with no statement, or one that cannot be split into statements, runs none and says so.</li>
 * <li>Under the bnd launcher the run is the launcher's main-thread {@code Callable<Integer>}: the
 * launcher stops the framework and exits with the returned code, so its own exit code 117 (framework
 * stopped) never leaks out. Under any other launcher a thread of ours runs it and calls
 * System.exit with the code (see {@link #exit(int)}).</li>
 * <li>Without either property, and without {@code gosh.args}, the jar's own command line gives the
 * program the same way: {@code java -jar mmlab.jar -c 'CMD; CMD'} or {@code ... FILE.gosh}
 * ({@link LauncherArguments}); wrong arguments end the run with 2 and the usage, in one line.</li>
 * <li>Gogo's own console never reads the terminal: unless {@code gosh.args} is set, it becomes
 * {@code --nointeractive} before the Gogo shell (a higher start level) looks at it. A lab started
 * with {@code gosh.args} set and neither property runs no console of ours.</li>
 * </ol>
 */
@Component(service = {}, immediate = true)
public class ShellRunner {

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
    private volatile LabShell shell;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServiceComponentRuntime scr;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configAdmin;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<Banner> banners;

    private volatile boolean closed;
    private BundleContext context;
    private LabChanges changes;
    private LabReadiness readiness;
    private ServiceRegistration<?> mainThread;

    @Activate
    void activate(BundleContext context) throws InvalidSyntaxException {
        LauncherArguments args = context.getProperty(COMMANDS) == null && context.getProperty(SCRIPT) == null
                && context.getProperty(GOSH_ARGS) == null ? launcherArguments(context) : LauncherArguments.NONE;
        String commands = args.commands() != null ? args.commands() : context.getProperty(COMMANDS);
        String script = args.script() != null ? args.script() : context.getProperty(SCRIPT);
        boolean interactive = commands == null && script == null && args.error() == null && !args.help();
        if (context.getProperty(GOSH_ARGS) == null) {
            // The shell starts at a higher start level than this bundle and reads gosh.args through
            // BundleContext.getProperty, which falls back to system properties. Without this, Gogo's
            // console would read the terminal beside ours, and on EOF stop the lab under a script.
            System.setProperty(GOSH_ARGS, "--nointeractive");
        } else if (interactive) {
            return; // the user chose Gogo's own console, or none
        }
        this.context = context;
        this.changes = new LabChanges(context);
        this.readiness = new LabReadiness(context, () -> scr, () -> configAdmin, changes::changed);
        Callable<Integer> run = new Run(args.error() != null ? () -> refuse(args.error(), 2)
                : args.help() ? this::help : interactive ? this::console : () -> runProgram(commands, script));
        if (context.getAllServiceReferences(BND_LAUNCHER, null) != null) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("main.thread", Boolean.TRUE);
            mainThread = context.registerService(Callable.class, run, props);
        } else {
            Thread thread = new Thread(() -> exit(call(run)), "mmlab-shell");
            thread.start();
        }
    }

    /** The jar's own command line, when the bnd launcher started the lab: ignored by any other launcher. */
    private static LauncherArguments launcherArguments(BundleContext context) throws InvalidSyntaxException {
        ServiceReference<?>[] launchers = context.getAllServiceReferences(BND_LAUNCHER, null);
        Object args = launchers == null ? null : launchers[0].getProperty(LauncherArguments.PROPERTY);
        return args instanceof String[] strings ? LauncherArguments.of(List.of(strings)) : LauncherArguments.NONE;
    }

    @Deactivate
    void deactivate() {
        closed = true;
        if (readiness != null) {
            readiness.close();
            changes.close();
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
        private final Callable<Integer> body;

        Run(Callable<Integer> body) {
            this.body = body;
        }

        /** The body's exit code; whatever it throws is said in one line, and the code is 1. */
        @Override
        public Integer call() {
            try {
                return body.call();
            } catch (Exception | Error e) {
                err.println("mmlab: " + FailureMessage.of(e));
                return 1;
            } finally {
                System.out.flush();
                System.err.flush();
                out.flush();
                err.flush();
            }
        }
    }

    private int console() throws IOException {
        String problem = awaitLab();
        if (problem != null) {
            err.println("mmlab: " + problem);
            return 1;
        }
        CommandServices commands = new CommandServices(context);
        return new Console(shell, () -> closed, out, err).run(ConsoleInput.open(commands::names, out), bannerLines());
    }

    /** What the bundles have to tell a person now that the lab is up; a Banner that fails says nothing. */
    private List<String> bannerLines() {
        List<String> lines = new ArrayList<>();
        for (Banner banner : banners) {
            try {
                lines.addAll(banner.lines());
            } catch (RuntimeException e) {
                // a banner is a courtesy: the lab works without it
            }
        }
        return lines;
    }

    private int runProgram(String commands, String script) {
        String source = commands != null ? commands : script;
        String program;
        try {
            program = commands != null ? commands : ScriptText.read(Path.of(script));
        } catch (IOException | RuntimeException e) {
            return refuse(script + ": " + FailureMessage.of(e), 1);
        }
        List<String> statements;
        try {
            statements = Statements.split(program);
        } catch (IllegalArgumentException e) {
            return refuse(source + ": syntax error: " + e.getMessage(), 1);
        }
        if (statements.isEmpty()) {
            return refuse((commands != null ? "-c '" + commands + "'" : script)
                    + ": no statements to run (give commands, separated by ';' or newlines)", 1);
        }
        String problem = awaitLab();
        if (problem != null) {
            err.println("mmlab: " + problem);
            return 1;
        }
        int code = execute(statements);
        String classLog = context.getProperty(ArchiveLinks.CLASS_LOG);
        if (classLog != null) {
            try {
                ArchiveLinks.link(context, Path.of(classLog));
            } catch (IOException | RuntimeException e) {
                err.println("mmlab: " + classLog + ": the archive's classes were not linked: " + FailureMessage.of(e));
            }
        }
        return code;
    }

    /** A program that cannot run: says why, and ends with {@code code} once the lab is up, not under its start-up. */
    private int help() {
        out.println(LauncherArguments.HELP);
        awaitLab(); // the lab stops as it would after a program
        return 0;
    }

    private int refuse(String why, int code) {
        err.println("mmlab: " + why);
        awaitLab();
        return code;
    }

    /** @return null when the lab is ready, else why no statement can run */
    private String awaitLab() {
        try {
            return awaitReadiness();
        } finally {
            changes.close();
        }
    }

    /**
     * Looks again at each change in the lab, and at least every 25 ms (not every change is announced); while
     * bundles start, at each bundle or framework change only, since nothing else changes what it waits for then.
     */
    private String awaitReadiness() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds());
        LabReadiness.Status status;
        while (true) {
            long seen = changes.count();
            long seenBundles = changes.bundleCount();
            status = readiness.check();
            if (status.ready() && shell != null) {
                return null;
            }
            if (status.failed()) {
                return status.reason();
            }
            if (closed) {
                return "the lab stopped before the program ran";
            }
            if (System.nanoTime() - deadline > 0) {
                String waitingFor = status.ready() ? "the lab's shell service" : status.reason();
                return "the lab did not start within " + timeoutSeconds() + " s; still waiting for " + waitingFor;
            }
            try {
                if (readiness.waitingForBundles()) {
                    changes.awaitBundleChangeAfter(seenBundles, 25);
                } else {
                    changes.awaitAfter(seen, 25);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for the lab to start";
            }
        }
    }

    private int execute(List<String> statements) {
        try (LabShell.Session session = shell.open(new FileInputStream(FileDescriptor.in), out, err)) {
            for (String statement : statements) {
                Optional<String> failure = session.run(statement);
                if (session.exitCode().isPresent()) {
                    return session.exitCode().getAsInt();
                }
                if (failure.isPresent()) {
                    System.out.flush();
                    out.flush();
                    err.println("mmlab: " + statement.replaceAll("\\s*\\R\\s*", " ") + ": " + failure.get());
                    String cause = failedComponent();
                    if (cause != null) {
                        err.println("mmlab: " + cause);
                    }
                    return 1;
                }
                if (closed) {
                    err.println("mmlab: the lab's shell was stopped after: " + statement.replaceAll("\\s*\\R\\s*", " ")
                            + "; the rest of the program does not run");
                    return 1;
                }
            }
            return 0;
        }
    }

    /** A delayed component fails only when first used: which one, and why; null if none failed. */
    private String failedComponent() {
        try {
            LabReadiness.Status status = readiness.check();
            return status.failed() ? status.reason() : null;
        } catch (IllegalStateException stopped) {
            return null; // this bundle was stopped by the program: nothing to ask the framework
        }
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
            err.println("mmlab: " + FailureMessage.of(e));
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
