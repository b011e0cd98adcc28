package org.mmlab.mm.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.mmlab.mm.Shrinker;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;

/**
 * Models mm/shrinker.c: the registered shrinkers and shrink_slab(). Unregistration waits for calls
 * in progress (the kernel's shrinker_free() does it with RCU and a refcount), so a driver that has
 * unregistered is never called again. Each call into a shrinker is a call into its driver's code,
 * checked for use after unload.
 */
final class Shrinkers {
    /** SHRINK_BATCH: objects asked of a shrinker per scan_objects() call. */
    static final long SHRINK_BATCH = 128;

    private final Map<Shrinker, String> registered = new ConcurrentHashMap<>();
    /** Readers: shrink_slab() calls in progress; the writer: an unregistration. */
    private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
    /** The lock's name: shrinker_rwsem (mm/shrinker.c before v6.7's RCU lookup). */
    static final String RWSEM = "shrinker_rwsem";

    void register(String name, Shrinker s) {
        if (registered.putIfAbsent(s, name) != null) {
            throw new IllegalStateException("shrinker " + name + " registered twice");
        }
    }

    /** Waits for the shrink_slab() calls in progress; calls (or null) tells the lab of the up_write(). */
    void unregister(Shrinker s, ModuleCalls calls) {
        inUse.writeLock().lock();
        try {
            registered.remove(s);
        } finally {
            inUse.writeLock().unlock();
            ModuleCalls.released(calls, RWSEM);
        }
    }

    /** shrink_slab(): one batch from every shrinker that has objects; returns the pages freed. */
    long shrinkSlab(ModuleCalls calls) {
        if (registered.isEmpty() || !inUse.readLock().tryLock()) {
            return 0; // an unregistration is waiting: this attempt goes without
        }
        try {
            long freed = 0;
            for (Shrinker s : registered.keySet()) {
                long count;
                try (ModuleCall c = calls.enter(s, InjectionPoints.CALL_SHRINKER_COUNT_OBJECTS, -1)) {
                    count = s.countObjects();
                }
                if (count > 0) {
                    try (ModuleCall c = calls.enter(s, InjectionPoints.CALL_SHRINKER_SCAN_OBJECTS, -1)) {
                        freed += Math.max(0, s.scanObjects(Math.min(count, SHRINK_BATCH)));
                    }
                }
            }
            return freed;
        } finally {
            inUse.readLock().unlock();
            // without it, whether the next shrink_slab()'s down_read_trylock() came before or after the woken
            // unregistration's down_write() was the machine's choice (race 8: the admin's remove against the deflating task)
            ModuleCalls.released(calls, RWSEM);
        }
    }
}
