package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModulePolicy;
import org.mmlab.mm.lab.ModuleState;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * Models the kernel's module list (kernel/module/main.c) over the framework's bundles: which module a
 * piece of code belongs to (the bundle that defined its class), each module's state through load and
 * unload, and the protection policy of the run. Framework-wide: a guest reboot keeps it.
 */
final class ModuleTable {
    /** The bundle whose class loader defined a class, or null for code of no bundle (built in). */
    private final ClassValue<Bundle> bundleOf;
    private final Map<Long, KernelModule> current = new ConcurrentHashMap<>();
    private final Map<Long, Integer> generations = new ConcurrentHashMap<>();
    private volatile ModulePolicy policy = ModulePolicy.NONE;
    /** The lab's injection points, or null. */
    volatile InjectionPoints points;
    /** The lab asked for "lock:CLASS" points too (InjectionPoints.LOCK_POINTS). */
    volatile boolean lockPoints;
    /** "lock:" + class, made once per class. */
    private final Map<String, String> lockPointNames = new ConcurrentHashMap<>();
    /** The running guest's drain (osgi-drain at unload), set by the guest. */
    volatile java.util.function.LongConsumer drain;
    /** The running guest's log, for what the module loader prints. */
    volatile Dmesg log;

    ModuleTable() {
        this(FrameworkUtil::getBundle);
    }

    /** With the bundle that defined a class found by definedBy (unit tests stand a driver's bundle in). */
    ModuleTable(java.util.function.Function<Class<?>, Bundle> definedBy) {
        bundleOf = new ClassValue<>() {
            @Override
            protected Bundle computeValue(Class<?> type) {
                return definedBy.apply(type);
            }
        };
    }

    ModulePolicy policy() {
        return policy;
    }

    void setPolicy(ModulePolicy p) {
        policy = p;
    }

    /** An injection point. */
    void at(String point, int pfn) {
        InjectionPoints p = points;
        if (p != null) {
            p.at(point, pfn);
        }
    }

    /** msleep(): the lab's point if it takes the sleep as a scheduling event (a controlled run's thread), else a sleep. */
    void msleep(long ms) {
        InjectionPoints p = points;
        if (ms <= 0 || p != null && p.sleep(InjectionPoints.MSLEEP, ms)) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A wait for work outside the lab's schedules, through the lab if it has points (a controlled run keeps the baton). */
    <T> T awaitOutside(Supplier<T> wait) {
        InjectionPoints p = points;
        return p == null ? wait.get() : p.awaitOutside(wait);
    }

    /** A wait for a work item worker runs, through the lab if it has points (a controlled run keeps the baton while it can end). */
    <T> T awaitWorker(Thread worker, Supplier<T> wait) {
        InjectionPoints p = points;
        return p == null ? wait.get() : p.awaitWorker(worker, wait);
    }

    /** After a release of lock that may wake a waiter, through the lab if it has points (a controlled run settles). */
    void released(String lock) {
        InjectionPoints p = points;
        if (p != null) {
            p.released(lock);
        }
    }

    /** "lock:CLASS" before a blocking acquire of an annotated lock, if the lab asked for lock points. */
    void atLock(String lockClass) {
        InjectionPoints p = points;
        if (p != null && lockPoints) {
            p.at(lockPointNames.computeIfAbsent(lockClass, InjectionPoints::lock), -1);
        }
    }

    /** The module of code's class now, or null if it is built in. */
    KernelModule moduleOf(Object code) {
        Bundle b = bundleOf.get(code.getClass());
        return b == null ? null : module(b);
    }

    /** The bundle by id (the framework's view), set by the tracker; null outside a framework. */
    volatile java.util.function.LongFunction<Bundle> bundles;

    /** The current module of the bundle with this id, or null for no bundle (plain unit tests). */
    KernelModule module(long bundleId) {
        KernelModule m = current.get(bundleId);
        if (m != null) {
            return m;
        }
        java.util.function.LongFunction<Bundle> f = bundles;
        Bundle b = f == null ? null : f.apply(bundleId);
        return b == null ? null : module(b);
    }

    /** The current module of bundle b (one is made for a bundle loaded before the table existed). */
    KernelModule module(Bundle b) {
        return current.computeIfAbsent(b.getBundleId(), id -> new KernelModule(id, b.getSymbolicName(),
                generations.merge(id, 1, Integer::sum),
                (b.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0 ? ModuleState.LIVE : ModuleState.GONE));
    }

    /** load_module(): the bundle starts; a new module, LIVE. */
    void loading(Bundle b) {
        long id = b.getBundleId();
        current.put(id, new KernelModule(id, b.getSymbolicName(), generations.merge(id, 1, Integer::sum),
                ModuleState.LIVE));
    }

    /** delete_module(): MODULE_STATE_GOING while its exit path runs. */
    KernelModule going(Bundle b) {
        KernelModule m = module(b);
        m.state = ModuleState.GOING;
        return m;
    }

    /** free_module(): the text is gone. */
    void gone(Bundle b, String how) {
        KernelModule m = module(b);
        if (m.state == ModuleState.GONE) {
            return;
        }
        m.unloadedNs = System.nanoTime();
        m.unloadedBy = how + " by " + Thread.currentThread().getName();
        m.unloadStack = stack();
        m.state = ModuleState.GONE;
    }

    /** Every module known, for lab:modules. */
    List<KernelModule> modules() {
        return new ArrayList<>(current.values());
    }

    static String stack() {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
            String c = e.getClassName();
            if (n++ >= 2 && n < 24 && !c.startsWith("java.lang.Thread")) {
                sb.append(' ').append(c.substring(c.lastIndexOf('.') + 1)).append('.').append(e.getMethodName())
                        .append('+').append(e.getLineNumber()).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * An unload waiting for the module to be quiet: polls busy every millisecond for at most timeoutMs;
     * true once it is not busy, false on timeout or interrupt.
     */
    static boolean awaitQuiet(java.util.function.BooleanSupplier busy, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (busy.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
