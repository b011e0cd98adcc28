package org.mmlab.mm.internal;

import java.util.concurrent.atomic.AtomicInteger;

import org.mmlab.mm.lab.ModuleState;

/**
 * Models struct module (include/linux/module.h) for one load of a driver bundle: its state, its
 * reference count (try_module_get/module_put) and the calls into its code in flight; when and from
 * where it was unloaded, for use-after-unload reports.
 */
final class KernelModule {
    final long bundleId;
    final String name;
    /** Loads of this bundle so far: a restarted bundle is a new module. */
    final int generation;
    volatile ModuleState state;
    final AtomicInteger refcnt = new AtomicInteger();
    final AtomicInteger inflight = new AtomicInteger();
    final long loadedNs = System.nanoTime();
    volatile long unloadedNs;
    volatile String unloadStack;
    volatile String unloadedBy;

    KernelModule(long bundleId, String name, int generation, ModuleState state) {
        this.bundleId = bundleId;
        this.name = name;
        this.generation = generation;
        this.state = state;
    }

    /** try_module_get(): a reference unless the module is going or gone. */
    boolean tryGet() {
        if (state != ModuleState.LIVE) {
            return false;
        }
        refcnt.incrementAndGet();
        if (state != ModuleState.LIVE) { // raced with the start of an unload
            refcnt.decrementAndGet();
            return false;
        }
        return true;
    }

    /** module_put(). */
    void put() {
        refcnt.decrementAndGet();
    }

    @Override
    public String toString() {
        return name + " [" + bundleId + "]";
    }
}
