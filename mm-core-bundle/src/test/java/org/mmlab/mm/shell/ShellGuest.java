package org.mmlab.mm.shell;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;

import org.mmlab.mm.internal.MmCore;

/** A booted mm-core for the mm: commands outside the framework, bound as DS binds it, and what they print. */
final class ShellGuest {
    private ShellGuest() {
    }

    /** MmCore as DS activates it, with every property at its default but the memory size. */
    static MmCore boot(String memorySize) {
        MmCore.Config config = (MmCore.Config) Proxy.newProxyInstance(MmCore.Config.class.getClassLoader(),
                new Class<?>[] {MmCore.Config.class},
                (proxy, method, args) -> "memorySize".equals(method.getName()) ? memorySize : method.getDefaultValue());
        return new MmCore(config);
    }

    /** The commands object with its {@code core} reference bound to {@code core}. */
    static <T> T bound(T commands, MmCore core) throws ReflectiveOperationException {
        Field f = commands.getClass().getDeclaredField("core");
        f.setAccessible(true);
        f.set(commands, core);
        return commands;
    }

    /** What the command printed on System.out. */
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

    /** What @Deactivate does. */
    static void shutDown(MmCore core) {
        core.guest().compaction().kcompactd().stop();
        core.workload().stop();
    }
}
