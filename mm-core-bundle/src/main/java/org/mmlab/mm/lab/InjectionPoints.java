package org.mmlab.mm.lab;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The race lab's hook into the simulated kernel: a service registered by the lab (at most one is
 * used) that the kernel calls at every named injection point (docs/race-lab.md lists them), where a
 * controlled schedule may switch to another simulated thread. Without one, points cost a volatile read.
 */
@ConsumerType
public interface InjectionPoints {
    /**
     * Service property: true asks for a point "lock:CLASS" before every blocking acquire of a lock that
     * drivers and the balloon core annotate for lockdep ({@link MemoryManager#lockdepAcquire}, e.g.
     * "lock:balloon_pages_lock"), so that a schedule can interleave their critical sections. Off unless
     * asked: each lock operation then costs a scheduling decision.
     */
    String LOCK_POINTS = "mmlab.injection.locks";

    /** The calling thread reached the named point, about pfn (or -1). */
    void at(String point, int pfn);
}
