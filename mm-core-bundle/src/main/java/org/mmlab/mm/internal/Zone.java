package org.mmlab.mm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;

/**
 * Models struct zone (include/linux/mmzone.h): a PFN range with its own lock, free_area[] of
 * per-order, per-migratetype free lists, watermarks and lowmem reserves.
 */
public final class Zone {
    public static final int WMARK_MIN = 0;
    public static final int WMARK_LOW = 1;
    public static final int WMARK_HIGH = 2;
    public static final int WMARK_PROMO = 3;
    static final int NR_MIGRATETYPES = MigrateType.values().length;

    final int idx;
    final String name;
    /** zone_start_pfn and zone_end_pfn(): the spanned range [start, end). */
    final int startPfn;
    final int endPfn;
    /** present_pages: every PFN in the span is present (no holes in the simulation). */
    final int presentPages;
    /** managed_pages: present minus what boot reserved; an atomic_long_t, added to with {@link #MANAGED_PAGES}. */
    volatile long managedPages;
    /** atomic_long_add(count, &zone->managed_pages): adjust_managed_page_count() takes no zone->lock (v6.18). */
    static final VarHandle MANAGED_PAGES;

    /** zone->lock: protects the free lists, nr_free, PageBuddy pages and pageblock migratetypes. */
    final DepMapLock lock;
    /** free_area[order].free_list[migratetype]: list head ids in the memmap. */
    final int[][] freeList = new int[Mm.NR_PAGE_ORDERS][NR_MIGRATETYPES];
    /** per_cpu_pageset: one struct per_cpu_pages a CPU (PageAllocPcp), set up after the watermarks. */
    PerCpuPages[] perCpuPageset = new PerCpuPages[0];
    /** pageset_high_min, pageset_high_max, pageset_batch (v6.7): the limits zone_pcp_enable() puts back. */
    int pagesetHighMin;
    int pagesetHighMax;
    int pagesetBatch;
    /** free_area[order].nr_free. */
    final long[] nrFree = new long[Mm.NR_PAGE_ORDERS];
    /** Entries per (order, migratetype), so /proc/pagetypeinfo need not walk the lists. */
    final long[][] nrFreeByType = new long[Mm.NR_PAGE_ORDERS][NR_MIGRATETYPES];
    /** free_area[order].nr_free_aerated ([PATCH v1 4/6], 2019): the PageAerated blocks among nr_free. */
    final long[] nrFreeAerated = new long[Mm.NR_PAGE_ORDERS];
    /** zone->flags: set_bit()/clear_bit() of ZONE_AERATION_REQUESTED and ZONE_AERATION_ACTIVE (v1 5/6). */
    final AtomicInteger flags = new AtomicInteger();
    /**
     * NR_FREE_PAGES (excluding MIGRATE_ISOLATE blocks, as account_freepages() does). Written under
     * zone->lock with a release store ({@link #FREE_PAGES}), read locklessly.
     */
    volatile long freePages;
    /** __mod_zone_page_state(): a plain add under zone->lock, not an atomic; zone_page_state() reads it locklessly. */
    static final VarHandle FREE_PAGES;

    static {
        try {
            FREE_PAGES = MethodHandles.lookup().findVarHandle(Zone.class, "freePages", long.class);
            MANAGED_PAGES = MethodHandles.lookup().findVarHandle(Zone.class, "managedPages", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** _watermark[WMARK_MIN..WMARK_PROMO]. */
    final long[] watermark = new long[4];
    /** lowmem_reserve[highest_zoneidx]: pages kept back from allocations that could use a higher zone. */
    long[] lowmemReserve;
    long nrReservedHighatomic;
    /** pgalloc_dma32 or pgalloc_normal: __count_zid_vm_events(PGALLOC, zone, 1 << order). */
    final VmItem pgallocItem;
    /** allocstall_dma32 or allocstall_normal: __count_zid_vm_events(ALLOCSTALL, sc->reclaim_idx, 1). */
    final VmItem allocstallItem;

    // CONFIG_COMPACTION's part of struct zone (mm/compaction.c keeps it). Hints, read and written
    // without a lock by every compactor of the zone, as the kernel does: a lost update costs a rescan.
    /** compact_cached_free_pfn: where the free scanner restarts (a pageblock start). */
    volatile int compactCachedFreePfn;
    /** compact_cached_migrate_pfn[0] (async) and [1] (sync): where the migrate scanner restarts. */
    final int[] compactCachedMigratePfn = new int[2];
    /** compact_init_migrate_pfn / compact_init_free_pfn: where __reset_isolation_suitable() found the first candidates. */
    volatile int compactInitMigratePfn;
    volatile int compactInitFreePfn;
    /** compact_considered, compact_defer_shift, compact_order_failed: deferral after failures. */
    volatile int compactConsidered;
    volatile int compactDeferShift;
    volatile int compactOrderFailed;
    /** compact_blockskip_flush: a direct compaction's scanners met; clear the skip bits before the next run. */
    volatile boolean compactBlockskipFlush;

    Zone(MemMap map, int idx, String name, int startPfn, int endPfn, Lockdep lockdep) {
        this.lock = new DepMapLock(lockdep, "&zone->lock");
        this.idx = idx;
        this.name = name;
        this.startPfn = startPfn;
        this.endPfn = endPfn;
        this.presentPages = endPfn - startPfn;
        this.pgallocItem = "DMA32".equals(name) ? VmItem.PGALLOC_DMA32 : VmItem.PGALLOC_NORMAL;
        this.allocstallItem = "DMA32".equals(name) ? VmItem.ALLOCSTALL_DMA32 : VmItem.ALLOCSTALL_NORMAL;
        for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
            for (int mt = 0; mt < NR_MIGRATETYPES; mt++) {
                freeList[o][mt] = map.allocListHead();
            }
        }
    }

    public int index() {
        return idx;
    }

    public String name() {
        return name;
    }

    public int startPfn() {
        return startPfn;
    }

    public int endPfn() {
        return endPfn;
    }

    public int presentPages() {
        return presentPages;
    }

    public long managedPages() {
        return managedPages;
    }

    public long freePages() {
        return freePages;
    }

    /** free_area[order].nr_free, read without the lock like /proc/buddyinfo (data_race). */
    public long nrFree(int order) {
        return nrFree[order];
    }

    public long nrFree(int order, MigrateType mt) {
        return nrFreeByType[order][mt.ordinal()];
    }

    public long watermark(int which) {
        return watermark[which];
    }

    public long lowmemReserve(int highestZoneIdx) {
        return lowmemReserve[highestZoneIdx];
    }

    /** walk_zones_in_node() (mm/vmstat.c): print each populated zone with its lock held. */
    static String walkZonesInNode(Zone[] zones, BiConsumer<StringBuilder, Zone> print) {
        StringBuilder sb = new StringBuilder();
        for (Zone z : zones) {
            if (z.presentPages == 0) {
                continue;
            }
            z.lock.lock();
            try {
                print.accept(sb, z);
            } finally {
                z.lock.unlock();
            }
        }
        return sb.toString();
    }

    boolean contains(int pfn) {
        return pfn >= startPfn && pfn < endPfn;
    }

    boolean freeAreaEmpty(int order, int mt) {
        return nrFreeByType[order][mt] == 0;
    }
}
