package org.mmlab.mm.internal;

import java.util.concurrent.atomic.LongAdder;

import org.mmlab.mm.Mm;

/** Models mm/vmstat.c's counters: node stats and vm events as striped adders (like per-cpu diffs). */
public final class VmStat {
    private final LongAdder[] counters = new LongAdder[VmItem.values().length];

    VmStat() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new LongAdder();
        }
    }

    /**
     * mod_node_page_state() / count_vm_events(). A byte item (NR_SLAB_UNRECLAIMABLE_B) takes bytes, in
     * whole pages, and keeps pages, as __mod_node_page_state() does since 5.9.
     */
    public void add(VmItem item, long delta) {
        if (item.inBytes) {
            // VM_WARN_ON_ONCE(delta & (PAGE_SIZE - 1)): only memcg accounts parts of a page
            if ((delta & (Mm.PAGE_SIZE - 1)) != 0) {
                throw new IllegalArgumentException(item.kernelName() + " changes in whole pages of bytes, not by " + delta);
            }
            delta >>= Mm.PAGE_SHIFT;
        }
        counters[item.ordinal()].add(delta);
    }

    /** inc_node_page_state() / count_vm_event(); not for a byte item (the kernel warns). */
    public void inc(VmItem item) {
        counters[item.ordinal()].increment();
    }

    /** The counter as global_node_page_state_pages() reads it: pages, for a byte item too. */
    public long get(VmItem item) {
        return counters[item.ordinal()].sum();
    }
}
