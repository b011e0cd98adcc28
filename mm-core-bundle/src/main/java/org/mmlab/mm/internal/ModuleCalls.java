package org.mmlab.mm.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.mmlab.mm.MovableOwner;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;
import org.mmlab.mm.lab.ModulePolicy;
import org.mmlab.mm.lab.ModuleState;

/**
 * The use-after-unload checker (the lab's KASAN for module text): every call from the core into a
 * driver's code goes through {@link #enter}, which counts it in flight and checks at entry and at
 * return that its module is still there.
 */
final class ModuleCalls {
    /** The call into built-in code: nothing to check. */
    private static final ModuleCall BUILT_IN = () -> { };

    final ModuleTable table;
    /** Each call's injection points, "call.enter:a_ops.migratepage" and "call.return:a_ops.migratepage". */
    private final Map<String, String[]> pointsOf = new ConcurrentHashMap<>();
    /** The module each isolated page holds a reference on (module-ref, osgi-drain). */
    private final Map<Integer, KernelModule> pinned = new ConcurrentHashMap<>();
    private final GuestMemory guest;
    /** CONFIG_KASAN for module text: switchable like the other checkers. */
    volatile boolean enabled = true;

    ModuleCalls(ModuleTable table, GuestMemory guest) {
        this.table = table;
        this.guest = guest;
    }

    /**
     * After up_read() or up_write() of an rw_semaphore whose waiters drivers' calls block on (the OOM notifier chain's,
     * shrinker_rwsem): a controlled run's thread waits until the threads it woke are back at their points. calls is
     * null for a chain tested alone.
     */
    static void released(ModuleCalls calls, String lock) {
        if (calls != null) {
            calls.table.released(lock);
        }
    }

    ModuleCall enter(Object callee, String call, int pfn) {
        return enter(table.moduleOf(callee), call, pfn);
    }

    /** A call into the code of the bundle that registered what is called (its mapping or movable_ops). */
    ModuleCall enter(long bundleId, String call, int pfn) {
        return enter(table.module(bundleId), call, pfn);
    }

    /**
     * module-ref: an isolated page of the module holds a reference on it until it is back or migrated;
     * osgi-drain: no reference, the module only has to be live. False (isolation fails) if it is not.
     */
    boolean pinForIsolation(long bundleId, int pfn) {
        ModulePolicy p = table.policy();
        if (p != ModulePolicy.MODULE_REF && p != ModulePolicy.OSGI_DRAIN) {
            return true;
        }
        KernelModule m = table.module(bundleId);
        if (m == null) {
            return true;
        }
        if (p == ModulePolicy.OSGI_DRAIN) {
            return m.state == ModuleState.LIVE; // no reference: the unload counts what is isolated instead
        }
        if (!m.tryGet()) {
            return false;
        }
        KernelModule old = pinned.put(pfn, m);
        if (old != null) {
            old.put(); // cannot happen: a page is isolated once at a time
        }
        return true;
    }

    /** How long osgi-drain waits for a stopping driver's isolated pages and calls in flight. */
    static final long DRAIN_TIMEOUT_MS = 10_000;

    /**
     * osgi-drain: the driver let go of the core's service (it is stopping, after its own exit path ran):
     * wait until none of its pages is isolated and no call into it is in flight. Its module is GOING
     * already, so no new isolation can start.
     */
    void drain(long bundleId) {
        KernelModule m = table.module(bundleId);
        if (m == null) {
            return;
        }
        if (!ModuleTable.awaitQuiet(() -> isolatedPages(bundleId) > 0 || m.inflight.get() > 0, DRAIN_TIMEOUT_MS)) {
            guest.dmesg.warn(String.format("mmlab: osgi-drain: %s still has %d isolated pages and %d calls in"
                    + " flight after %d s", m, isolatedPages(bundleId), m.inflight.get(), DRAIN_TIMEOUT_MS / 1000), null);
        }
    }

    /** The module's pages isolated now, from the owner registry (one pass over the memmap: for unloads). */
    int isolatedPages(long bundleId) {
        int n = 0;
        for (MovableOwner o : guest.migrate.owners.snapshot(guest)) {
            if (o.bundleId() == bundleId) {
                n += (int) o.isolated();
            }
        }
        return n;
    }

    /** The module reference of an isolated page, dropped when it is back or migrated. */
    void unpinIsolated(int pfn) {
        if (pinned.isEmpty()) {
            return;
        }
        KernelModule m = pinned.remove(pfn);
        if (m != null) {
            m.put();
        }
    }

    private ModuleCall enter(KernelModule m, String call, int pfn) {
        if (m == null) {
            return BUILT_IN;
        }
        String[] points = pointsOf.computeIfAbsent(call, ModuleCalls::points);
        m.inflight.incrementAndGet();
        table.at(points[0], pfn);
        if (m.state == ModuleState.GONE && enabled) {
            report(m, call, pfn, "at entry");
        }
        return () -> {
            table.at(points[1], pfn); // the instant before the driver's code returns
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

    private static String[] points(String call) {
        return new String[] {InjectionPoints.callEnter(call), InjectionPoints.callReturn(call)};
    }
}
