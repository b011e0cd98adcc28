package org.mmlab.mm;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The race lab's hook into the simulated kernel: a service registered by the lab (at most one is
 * used) that the kernel calls at every named injection point (docs/race-lab.md lists them), where a
 * controlled schedule may switch to another simulated thread. Without one, points cost a volatile read.
 */
@ConsumerType
public interface InjectionPoints {
    /** The calling thread reached the named point, about pfn (or -1). */
    void at(String point, int pfn);
}
