package org.mmlab.mm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.mmlab.mm.Mm;

/**
 * Models mm/vmstat.c's counters: node stats and vm events. As the kernel's are per-cpu diffs that
 * __count_vm_event() and __mod_node_page_state() change without an atomic, each task here has its own
 * diffs, which only it writes (a plain add, published with a release store); a reader sums them, with
 * what the tasks that ended left. A task's diffs are made at its first count; those of ended tasks are
 * folded into the sum when a new task registers, so a lab that runs many threads keeps few.
 */
public final class VmStat {
    private static final int NR_ITEMS = VmItem.values().length;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /**
     * NR_MLOCK (a zone_stat_item, read summed over the zones as global_zone_page_state() reads it), in pages:
     * mlock_folio() adds a folio's pages when it sets PG_mlocked, munlock_folio() and free_pages_prepare() take
     * them away when they clear it (migration moves the flag, and between zones the count: the sum stays).
     * The lab's model mlocks nothing; a page a test mlocks by hand counts here. /proc/meminfo's Mlocked reads it.
     * Beside the VmItems, not one of them, so that /proc/vmstat and zoneinfo print the lines they printed.
     */
    final AtomicLong nrMlock = new AtomicLong();
    /**
     * NR_ANON_THPS (a node_stat_item, in pages since Muchun Song's 2021 conversion): the pages of anon folios
     * of HPAGE_PMD_ORDER mapped by a PMD, added by folio_add_new_anon_rmap() / __folio_add_anon_rmap() at
     * RMAP_LEVEL_PMD and taken away by __folio_remove_rmap(). The lab's model maps no THP (its workload maps
     * order-0 pages, migration moves order-0 pages only); a THP a test maps by hand counts here.
     * /proc/meminfo's AnonHugePages reads it; beside the VmItems as NR_MLOCK is.
     */
    final AtomicLong nrAnonThps = new AtomicLong();

    /** One task's vm_stat_diff: written by its owner only. */
    private static final class Diff {
        final Thread owner = Thread.currentThread();
        final long[] v = new long[NR_ITEMS];
    }

    /** Every live task's diffs, and the sums of ended tasks' (both guarded by this list's monitor). */
    private final List<Diff> diffs = new ArrayList<>();
    private final long[] ended = new long[NR_ITEMS];
    private final ThreadLocal<Diff> mine = ThreadLocal.withInitial(this::register);

    private Diff register() {
        Diff d = new Diff();
        synchronized (diffs) {
            // a task seen ended (isAlive() false) wrote its last count before: fold it and forget it
            diffs.removeIf(o -> {
                if (o.owner.isAlive()) {
                    return false;
                }
                for (int i = 0; i < NR_ITEMS; i++) {
                    ended[i] += (long) LONGS.getAcquire(o.v, i);
                }
                return true;
            });
            diffs.add(d);
        }
        return d;
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
        long[] v = mine.get().v;
        int i = item.ordinal();
        LONGS.setRelease(v, i, v[i] + delta);
    }

    /** inc_node_page_state() / count_vm_event(); not for a byte item (the kernel warns). */
    public void inc(VmItem item) {
        long[] v = mine.get().v;
        int i = item.ordinal();
        LONGS.setRelease(v, i, v[i] + 1);
    }

    /** The counter as global_node_page_state_pages() reads it: pages, for a byte item too. */
    public long get(VmItem item) {
        int i = item.ordinal();
        synchronized (diffs) {
            long n = ended[i];
            for (Diff d : diffs) {
                n += (long) LONGS.getAcquire(d.v, i);
            }
            return n;
        }
    }
}
