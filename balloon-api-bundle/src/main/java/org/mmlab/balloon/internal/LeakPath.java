package org.mmlab.balloon.internal;

/**
 * How balloon_page_dequeue() takes pages off a 2012 balloon (PID org.mmlab.balloon, leakPath): as v3.8
 * merged it, or as the reviewed v7 virtio patch's leak_balloon() did (seed 003), with or without the
 * barrier the reviewer asked for.
 */
enum LeakPath {
    /** v3.8 (seed 000): trylock_page(), then under pages_lock balloon_page_delete(); a locked page is skipped. */
    V3_8("v3.8"),
    /**
     * v7 (seed 003): under pages_lock alone, page->mapping = NULL, then list_del(), whoever holds the
     * page's lock, and no reference raised (rule ii came with v3.8).
     */
    V7("v7"),
    /** v7 with smp_wmb() between page->mapping = NULL and list_del(): "So I think this needs a wmb()". */
    V7_WMB("v7-wmb");

    final String value;

    LeakPath(String value) {
        this.value = value;
    }

    static LeakPath parse(String s) {
        for (LeakPath p : values()) {
            if (p.value.equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("leakPath=" + s + ": must be v3.8, v7 or v7-wmb");
    }
}
