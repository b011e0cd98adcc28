package org.mmlab.mm.shell;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;

import org.mmlab.mm.internal.CompactorComponent;
import org.mmlab.mm.internal.GuestCheckComponent;
import org.mmlab.mm.internal.GuestPagesComponent;
import org.mmlab.mm.internal.GuestViewsComponent;
import org.mmlab.mm.internal.MmCore;
import org.mmlab.mm.internal.RunningGuest;
import org.mmlab.mm.internal.WorkloadComponent;

/**
 * A booted mm-core outside the framework, the admin services on it, and shell commands wired to them as
 * DS would wire them.
 */
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

    /** The running guest as the admin services see it: core, or none when core is null. */
    static RunningGuest running(MmCore core) {
        return core == null ? new RunningGuest() : RunningGuest.of(core);
    }

    static MmCommands mmCommands(RunningGuest g) {
        return new MmCommands(new GuestViewsComponent(g), new GuestPagesComponent(g), new WorkloadComponent(g),
                new GuestCheckComponent(g));
    }

    static CompactCommands compactCommands(RunningGuest g) {
        return new CompactCommands(new CompactorComponent(g), new GuestViewsComponent(g));
    }

    /** mm:alloc and mm:free, with their dynamic reference to the guest's MemoryManager set to core. */
    static AllocCommands allocCommands(RunningGuest g, MmCore core) throws ReflectiveOperationException {
        AllocCommands commands = new AllocCommands(new GuestPagesComponent(g));
        setMemoryManager(commands, core);
        return commands;
    }

    /** What a reboot does to the bindings: DS unbinds the old guest and binds the new one. */
    static void reboot(RunningGuest g, AllocCommands commands, MmCore old, MmCore booted)
            throws ReflectiveOperationException {
        invoke(g, "unbind", old);
        invoke(g, "bind", booted);
        setMemoryManager(commands, booted);
    }

    private static void setMemoryManager(AllocCommands commands, MmCore core) throws ReflectiveOperationException {
        Field f = AllocCommands.class.getDeclaredField("mm");
        f.setAccessible(true);
        f.set(commands, core);
    }

    private static void invoke(RunningGuest g, String method, MmCore core) throws ReflectiveOperationException {
        Method m = RunningGuest.class.getDeclaredMethod(method, MmCore.class);
        m.setAccessible(true);
        m.invoke(g, core);
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
