package org.mmlab.mm.internal;

import java.util.concurrent.atomic.LongAdder;

/** Models mm/vmstat.c's counters: node stats and vm events as striped adders (like per-cpu diffs). */
public final class VmStat {
    private final LongAdder[] counters = new LongAdder[VmItem.values().length];

    VmStat() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new LongAdder();
        }
    }

    /** mod_node_page_state() / count_vm_events(). */
    public void add(VmItem item, long delta) {
        counters[item.ordinal()].add(delta);
    }

    public void inc(VmItem item) {
        counters[item.ordinal()].increment();
    }

    public long get(VmItem item) {
        return counters[item.ordinal()].sum();
    }
}
