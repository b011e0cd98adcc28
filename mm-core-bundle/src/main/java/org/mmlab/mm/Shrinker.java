package org.mmlab.mm;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * struct shrinker (include/linux/shrinker.h): a cache that gives memory back when the allocator is
 * short. The simulated guest has no page cache, so its direct reclaim is shrink_slab() alone: the
 * slow path calls every registered shrinker before it tries the OOM path.
 */
@ConsumerType
public interface Shrinker {
    /** count_objects(): how many objects (here: pages) could be freed now; 0 if none. */
    long countObjects();

    /** scan_objects(): free up to nrToScan objects; returns how many were freed. */
    long scanObjects(long nrToScan);
}
