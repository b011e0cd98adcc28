package org.mmlab.itest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.itest.MmOutput.lastLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mmlab.cli.LabShell;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.admin.GuestConfig;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.annotation.config.WithFactoryConfiguration;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Issue 10's fuzz: every shell command of the lab (found among the registered Gogo commands, so a
 * new command is fuzzed without a change here) gets bad arguments through the lab's shell, the way
 * {@code ./mmlab} runs them: a wrong number of them, and values that are of the wrong type, huge,
 * negative, empty, garbage, unicode or unset. Each statement must fail, with one line that has no
 * Java class name and no Gogo internal, and {@code mm:check: OK} must hold after each command's
 * statements. Bounded and deterministic: every bad value once in every position ({@link BadArguments}),
 * the arguments around it drawn with a fixed seed, so every run feeds the same statements.
 */
@ExtendWith(SettledLab.class)
@WithFactoryConfiguration(factoryPid = VirtioBalloons.FACTORY_PID, name = "0", location = "?") // a plausible DEV
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class ShellFuzzTest {
    static final long SEED = 20_261_122L;

    /** What a user's message must not show: Java class names, Java's own words, Gogo's internals. */
    private static final Pattern LEAK = Pattern.compile("\\b(java|javax|jdk|sun|org\\.apache|org\\.osgi|org\\.mmlab)"
            + "\\.[\\w.$]+|\\b\\w+(Exception|Error)\\b|Cannot coerce|Cannot invoke|\\bToken\\b|argument type mismatch"
            + "|because \"|a bug in the lab|Input length|VM limit|heap space|BundleContext");

    @InjectService(timeout = 30_000)
    LabShell shell;

    @InjectService(timeout = 30_000)
    GuestConfig config;

    @InjectService(timeout = 30_000)
    VirtioBalloons virtio;

    @InjectBundleContext
    BundleContext context;

    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    LabShell.Session session;

    @BeforeEach
    void aFreshGuestWithDeviceZero() throws Exception {
        session = shell.open(new ByteArrayInputStream(new byte[0]), new PrintStream(output, true, UTF_8),
                new PrintStream(output, true, UTF_8));
        List<String> before = names(LabCommands.registered(context));
        FreshGuest.boot(config, MigrationContract.MOVABLE_OPS_2025);
        // the reboot takes the commands that need the guest away (balloon:'s need its MemoryManager); DS
        // registers them again once the new guest's services are there, on its own thread
        Await.until("the lab's commands registered again after the reboot",
                () -> names(LabCommands.registered(context)).containsAll(before));
        // so that a plausible DEV reaches the parsing of the other arguments
        Await.value(virtio.probed("0"), "device 0 probed");
    }

    @AfterEach
    void closeTheSession() {
        session.close();
    }

    @Test
    void everyLabCommandRefusesBadArgumentsInOneLineAndLosesNothing() throws Exception {
        List<LabCommands.Command> commands = LabCommands.registered(context);
        Random random = new Random(SEED);
        List<String> problems = new ArrayList<>();
        int statements;
        // a bad statement changes nothing: no bundle goes (lab:storm ran whole storms, uninstalling drivers, for
        // an unset --repeat)
        List<String> bundleChanges = new CopyOnWriteArrayList<>();
        SynchronousBundleListener changes = e -> {
            if (e.getType() == BundleEvent.STOPPED || e.getType() == BundleEvent.UNINSTALLED
                    || e.getType() == BundleEvent.UPDATED) {
                bundleChanges.add(e.getBundle().getSymbolicName() + " " + e.getType());
            }
        };
        context.addBundleListener(changes);
        long start = System.nanoTime();
        try {
            statements = fuzz(commands, random, problems);
        } finally {
            context.removeBundleListener(changes);
        }
        System.out.printf("shell fuzz: %d commands, %d statements in %d ms, %d problems%n", commands.size(),
                statements, (System.nanoTime() - start) / 1_000_000, problems.size());
        assertThat(problems).as("bad statements that did not fail in one clean line").isEmpty();
        assertThat(bundleChanges).as("bundles stopped (4), uninstalled (16) or updated (8) by bad statements").isEmpty();
    }

    /** Every command's bad statements, then mm:check; returns how many statements ran. */
    private int fuzz(List<LabCommands.Command> commands, Random random, List<String> problems) throws Exception {
        int statements = 0;
        for (LabCommands.Command command : commands) {
            for (String statement : BadArguments.statements(command, random)) {
                statements++;
                output.reset();
                Optional<String> failure = session.run(statement);
                if (failure.isEmpty()) {
                    problems.add(statement + "  => succeeded:\n" + output.toString(UTF_8).strip());
                } else if (failure.get().contains("\n") || failure.get().isBlank() || LEAK.matcher(failure.get()).find()) {
                    problems.add(statement + "  => " + failure.get());
                }
            }
            output.reset();
            Optional<String> check = session.run("mm:check");
            assertThat(check).as("mm:check after %s's statements:%n%s", command.name(), output.toString(UTF_8)).isEmpty();
            assertThat(lastLine(output.toString(UTF_8))).as("after %s", command.name()).isEqualTo("mm:check: OK");
        }
        return statements;
    }

    private static List<String> names(List<LabCommands.Command> commands) {
        return commands.stream().map(LabCommands.Command::name).toList();
    }

    /** The commands of the lab's bundles (Bundle-Vendor mmlab), by scope:function, and their methods. */
    static final class LabCommands {
        record Command(String name, List<Method> methods) {}

        static List<Command> registered(BundleContext context) throws Exception {
            List<Command> commands = new ArrayList<>();
            for (var ref : context.getServiceReferences((String) null, "(osgi.command.scope=*)")) {
                if (!"mmlab".equals(ref.getBundle().getHeaders("").get("Bundle-Vendor"))) {
                    continue;
                }
                Object service = context.getService(ref);
                try {
                    Object f = ref.getProperty("osgi.command.function");
                    for (String function : f instanceof String[] fs ? fs : new String[] {String.valueOf(f)}) {
                        List<Method> methods = new ArrayList<>();
                        for (Method m : service.getClass().getMethods()) {
                            if (m.getName().equalsIgnoreCase(function)) {
                                methods.add(m);
                            }
                        }
                        commands.add(new Command(ref.getProperty("osgi.command.scope") + ":" + function, methods));
                    }
                } finally {
                    context.ungetService(ref);
                }
            }
            commands.sort((a, b) -> a.name().compareTo(b.name()));
            return commands;
        }
    }
}
