package org.mmlab.mm.shell;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;

import org.mmlab.mm.internal.MmCore;

/** A booted mm-core outside the framework, and shell commands bound to it as DS would bind them. */
final class BootedCore {
    private BootedCore() {
    }

    /** MmCore as DS activates it, with every property at its default but the memory size. */
    static MmCore boot(String memorySize) {
        MmCore.Config config = (MmCore.Config) Proxy.newProxyInstance(MmCore.Config.class.getClassLoader(),
                new Class<?>[] {MmCore.Config.class},
                (proxy, method, args) -> "memorySize".equals(method.getName()) ? memorySize : method.getDefaultValue());
        return new MmCore(config);
    }

    /** What @Deactivate does. */
    static void shutDown(MmCore core) {
        if (core != null) {
            core.guest().compaction().kcompactd().stop();
            core.workload().stop();
        }
    }

    /** The commands object with its dynamic reference to the guest set to core (null: no guest). */
    static <T> T bind(T commands, MmCore core) throws ReflectiveOperationException {
        Field f = commands.getClass().getDeclaredField("core");
        f.setAccessible(true);
        f.set(commands, core);
        return commands;
    }

    /** What a command printed to System.out (which Gogo routes to the session). */
    static String run(Runnable command) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            command.run();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
