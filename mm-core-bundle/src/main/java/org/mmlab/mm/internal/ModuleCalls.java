package org.mmlab.mm.internal;

import java.util.List;

import org.mmlab.mm.ModuleCall;
import org.mmlab.mm.ModuleState;
import org.mmlab.mm.MovableOwner;

/**
 * The use-after-unload checker (the lab's KASAN for module text): every call from the core into a
 * driver's code goes through {@link #enter}, which counts it in flight and checks at entry and at
 * return that its module is still there.
 */
final class ModuleCalls {
    /** The call into built-in code: nothing to check. */
    private static final ModuleCall BUILT_IN = () -> { };

    final ModuleTable table;
    private final GuestMemory guest;
    /** CONFIG_KASAN for module text: switchable like the other checkers. */
    volatile boolean enabled = true;

    ModuleCalls(ModuleTable table, GuestMemory guest) {
        this.table = table;
        this.guest = guest;
    }

    ModuleCall enter(Object callee, String call, int pfn) {
        KernelModule m = table.moduleOf(callee);
        if (m == null) {
            return BUILT_IN;
        }
        m.inflight.incrementAndGet();
        table.at("call.enter", pfn);
        if (m.state == ModuleState.GONE && enabled) {
            report(m, call, pfn, "at entry");
        }
        return () -> {
            table.at("call.return", pfn); // the instant before the driver's code returns
            m.inflight.decrementAndGet();
            if (m.state == ModuleState.GONE && enabled) {
                report(m, call, pfn, "at return");
            }
        };
    }

    private void report(KernelModule m, String call, int pfn, String where) {
        long now = System.nanoTime();
        StringBuilder strands = new StringBuilder();
        if (pfn >= 0) {
            strands.append(String.format(" pfn %#x (the page of this call)", pfn));
        }
        List<MovableOwner> owners = guest.migrate.owners.snapshot(guest);
        for (MovableOwner o : owners) {
            if (o.bundleId() == m.bundleId && o.isolated() > 0) {
                strands.append(String.format("; %d isolated pages of %s", o.isolated(), o.what()));
            }
        }
        guest.debug.useAfterUnload(String.format("BUG: KASAN: use-after-unload in %s %s%n"
                + "Call from the kernel into module %s (load %d), unloaded %.6f s ago (%s)%n"
                + "%s%n"
                + "The module was unloaded from:%n%s"
                + "It strands:%s", call, where, m, m.generation, (now - m.unloadedNs) / 1e9, m.unloadedBy,
                MmDebug.javaTrace().stripTrailing(), m.unloadStack, strands.length() == 0 ? " nothing" : strands));
    }
}
