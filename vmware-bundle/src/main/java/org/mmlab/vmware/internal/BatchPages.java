package org.mmlab.vmware.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The contents of the driver's batch pages as guest memory holds them (the lab's page content is one
 * tag per page, so the entries live here): vmballoon_init_batching() allocates a page and writes
 * struct vmballoon_batch_entry records into it; the hypervisor reads and writes them at the PFN a
 * batched command names, as it would map guest memory.
 */
final class BatchPages {
    private final Map<Integer, long[]> pages = new ConcurrentHashMap<>();

    /** The entries of a page the driver just allocated (zeroed: __GFP_ZERO). */
    long[] map(int pfn) {
        long[] entries = new long[Protocol.VMW_BALLOON_BATCH_MAX_PAGES];
        pages.put(pfn, entries);
        return entries;
    }

    /** The page was freed (vmballoon_deinit_batching()). */
    void unmap(int pfn) {
        pages.remove(pfn);
    }

    /** The entries at pfn, or null if it is no batch page. */
    long[] at(long pfn) {
        return pfn < 0 || pfn > Integer.MAX_VALUE ? null : pages.get((int) pfn);
    }
}
