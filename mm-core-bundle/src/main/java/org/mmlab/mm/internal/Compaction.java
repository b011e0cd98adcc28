package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import org.mmlab.mm.Errno;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.admin.CompactStats;

/**
 * Models mm/compaction.c: memory compaction. Per zone, a migrate scanner walks up from the zone's
 * start isolating movable pages and a free scanner walks down from its end isolating free pages;
 * migrate_pages() moves the one onto the other, until the scanners meet. Callers: compact_memory
 * (whole memory), direct compaction from the allocator's slow path (try_to_compact_pages()),
 * and kcompactd ({@link Kcompactd}: on wake-up for an order, and proactively by fragmentation score).
 *
 * <p>Left out: fast_find_migrateblock() and fast_isolate_freepages() (the scanners are linear),
 * the capture_control shortcut, too_many_isolated() throttling, hugetlb, CMA, and migration of
 * large folios: compound pages are skipped by their order, as before 6.12, and the free pages are
 * split to order 0 (split_map_pages()), so every target is one page.
 *
 * <p>This class keeps the runs (compact_zone(), compact_node(), try_to_compact_pages(), compact_memory,
 * kcompactd_do_work()) and the sysctls; the rest of mm/compaction.c is split where the file has its
 * seams: {@link CompactionDefer} (deferral), {@link CompactionSkipHints} (pageblock skip bits, cached
 * scanner positions), {@link CompactionFreeScanner}, {@link CompactionMigrateScanner},
 * {@link CompactionSuitable} (compaction_suitable(), compact_finished()) and {@link FragmentationScore}
 * (proactive compaction's score).
 *
 * <p>Locking, as the kernel's:
 * <ol>
 * <li>Every step of a run is inside the stop_machine read section (entry points): one section per
 *     compact_zone() iteration (isolate, migrate, put back), so mm:check sees pages isolated for
 *     migration only while migrate_pages() sleeps on a page lock (Migrate records them for it);
 *     free targets held between iterations are order-0 pages with one reference, as
 *     split_map_pages() leaves them, which mm:check counts as allocated.</li>
 * <li>The scanners' locks (the free scanner's zone-&gt;lock, the migrate scanner's lru_lock) are
 *     never held across migrate_pages(): their rules are in {@link CompactionFreeScanner} and
 *     {@link CompactionMigrateScanner}.</li>
 * <li>Async mode only trylocks: a contended lock is still taken, but cc-&gt;contended ends the run
 *     (compact_lock_irqsave()).</li>
 * </ol>
 */
public final class Compaction implements PageAllocSlowpath.DirectCompactor {
    /** COMPACT_CLUSTER_MAX (SWAP_CLUSTER_MAX): pages isolated per migrate_pages() batch. */
    static final int COMPACT_CLUSTER_MAX = 32;
    /** The order proactive compaction measures fragmentation at: HPAGE_PMD_ORDER, 2 MiB. */
    static final int COMPACTION_HPAGE_ORDER = Mm.PAGEBLOCK_ORDER;

    /** enum compact_result (include/linux/compaction.h), in the kernel's order: callers compare with max(). */
    enum CompactResult {
        /** For more detailed tracepoint output: the zone is not suitable (fragmentation index). */
        NOT_SUITABLE_ZONE,
        /** Compaction didn't start: not possible or direct reclaim was more suitable. */
        SKIPPED,
        /** Compaction didn't start: it was deferred due to past failures. */
        DEFERRED,
        /** For more detailed tracepoint output: no suitable page yet. */
        NO_SUITABLE_PAGE,
        /** Compaction should continue to another pageblock. */
        CONTINUE,
        /** The full zone was compacted, scanned but wasn't successful. */
        COMPLETE,
        /** Direct compaction has scanned part of the zone but wasn't successful. */
        PARTIAL_SKIPPED,
        /** Compaction terminated prematurely due to lock contention or a fatal signal. */
        CONTENDED,
        /** A suitable page is free (or the proactive score is low enough). */
        SUCCESS;

        static CompactResult max(CompactResult a, CompactResult b) {
            return a.compareTo(b) >= 0 ? a : b;
        }
    }

    final GuestMemory guest;
    final MemMap map;
    private final PageLists lists;
    private final PageAlloc alloc;
    private final VmStat vmstat;
    private final Kcompactd kcompactd;
    /** Where {@link #prefetchPageTables} leaves its sum: read by nothing, it keeps the JIT from dropping the reads. */
    @SuppressWarnings("unused")
    private int prefetchSink;

    /** vm.compaction_proactiveness (0..100, default 20). */
    private volatile int sysctlCompactionProactiveness = 20;
    /** vm.extfrag_threshold (0..1000, default 500). */
    private volatile int sysctlExtfragThreshold = 500;

    // mm/compaction.c's parts, each made from the ones before it
    final CompactionSkipHints skipHints;
    final FragmentationScore score;
    final CompactionSuitable suitable;
    final CompactionFreeScanner freeScanner;
    final CompactionMigrateScanner migrateScanner;

    Compaction(GuestMemory guest) {
        this.guest = guest;
        this.map = guest.map;
        this.lists = guest.lists;
        this.alloc = guest.alloc;
        this.vmstat = guest.vmstat;
        this.skipHints = new CompactionSkipHints(this);
        this.score = new FragmentationScore(this);
        this.suitable = new CompactionSuitable(this);
        this.freeScanner = new CompactionFreeScanner(this);
        this.migrateScanner = new CompactionMigrateScanner(this);
        this.kcompactd = new Kcompactd(this);
    }

    public Kcompactd kcompactd() {
        return kcompactd;
    }

    Zone[] zones() {
        return alloc.zones;
    }

    // ------------------------------------------------------------------ sysctls

    public int compactionProactiveness() {
        return sysctlCompactionProactiveness;
    }

    /**
     * compaction_proactiveness_sysctl_handler(): 0..100; a non-zero value wakes kcompactd for a
     * proactive check at once.
     */
    public void setCompactionProactiveness(int value) {
        if (value < 0 || value > 100) {
            throw new IllegalArgumentException("vm.compaction_proactiveness " + value + " is outside 0..100");
        }
        sysctlCompactionProactiveness = value;
        if (value != 0) {
            kcompactd.proactiveCompactTrigger();
        }
    }

    int extfragThreshold() {
        return sysctlExtfragThreshold;
    }

    /** vm.extfrag_threshold: 0..1000. */
    void setExtfragThreshold(int value) {
        if (value < 0 || value > 1000) {
            throw new IllegalArgumentException("vm.extfrag_threshold " + value + " is outside 0..1000");
        }
        sysctlExtfragThreshold = value;
    }

    // ------------------------------------------------------------------ helpers on PFNs

    static int pageblockStartPfn(int pfn) {
        return pfn & ~(Mm.PAGEBLOCK_NR_PAGES - 1);
    }

    static int pageblockEndPfn(int pfn) {
        return pageblockStartPfn(pfn) + Mm.PAGEBLOCK_NR_PAGES;
    }

    static boolean pageblockAligned(int pfn) {
        return (pfn & (Mm.PAGEBLOCK_NR_PAGES - 1)) == 0;
    }

    static boolean isViaCompactMemory(int order) {
        return order == -1;
    }

    /** PageCompound(): a head or a tail page. */
    static boolean pageCompound(MemMap map, int pfn) {
        return map.testFlag(pfn, PageFlags.PG_head) || map.isTail(pfn);
    }

    // ------------------------------------------------------------------ locks

    /**
     * compact_lock_irqsave(): async compaction trylocks and records contention (the run ends when the
     * current block is done); sync compaction just takes the lock. Always returns with it held.
     */
    static void compactLock(ReentrantLock lock, CompactControl cc) {
        if (cc.mode == MigrateMode.ASYNC && !cc.contended) {
            if (lock.tryLock()) {
                return;
            }
            cc.contended = true;
        }
        lock.lock();
    }

    // ------------------------------------------------------------------ compact_zone

    /**
     * compact_zone(): scan and migrate until compact_finished() says stop. Each iteration (isolate a
     * batch, migrate it, put back what failed) is one stop_machine read section; the free targets
     * still held at the end go back to the buddy allocator.
     */
    CompactResult compactZone(CompactControl cc) {
        Zone zone = cc.zone;
        int startPfn = zone.startPfn;
        int endPfn = zone.endPfn;
        boolean sync = cc.mode != MigrateMode.ASYNC;
        cc.totalMigrateScanned = 0;
        cc.totalFreeScanned = 0;
        cc.nrMigratepages = 0;
        cc.nrFreepages = 0;
        cc.contended = false;
        cc.migratetype = Gfp.migratetype(cc.gfpMask).ordinal();
        CompactResult ret;
        guest.stopMachine.enter();
        try {
            if (!isViaCompactMemory(cc.order)) {
                ret = suitable.compactionSuitAllocationOrder(zone, cc.order, cc.highestZoneidx, cc.allocFlags,
                        cc.mode == MigrateMode.ASYNC);
                if (ret != CompactResult.CONTINUE) {
                    return ret;
                }
            }
            // a whole-zone run that ignores the skip hints (compact_memory, proactive, MIN_COMPACT_PRIORITY)
            // re-marks every block it finds empty-handed: the old hints are flushed first (the simulation has no
            // kswapd to flush them when it sleeps after such a run)
            if (cc.wholeZone && cc.ignoreSkipHint) {
                zone.compactBlockskipFlush = true;
                skipHints.resetIsolationSuitable(zone);
            }
            // clear the skip bits if there were failures recently and compaction is retried after deferral
            if (CompactionDefer.compactionRestarting(zone, cc.order)) {
                skipHints.resetIsolationSuitable(zone);
            }
            // set up to move all movable pages to the end of the zone: from the cached positions unless
            // the whole zone is wanted, checking they lie inside the zone
            if (cc.wholeZone) {
                cc.migratePfn = startPfn;
                cc.freePfn = pageblockStartPfn(endPfn - 1);
            } else {
                cc.migratePfn = zone.compactCachedMigratePfn[sync ? 1 : 0];
                cc.freePfn = zone.compactCachedFreePfn;
                if (cc.freePfn < startPfn || cc.freePfn >= endPfn) {
                    cc.freePfn = pageblockStartPfn(endPfn - 1);
                    zone.compactCachedFreePfn = cc.freePfn;
                }
                if (cc.migratePfn < startPfn || cc.migratePfn >= endPfn) {
                    cc.migratePfn = startPfn;
                    zone.compactCachedMigratePfn[0] = cc.migratePfn;
                    zone.compactCachedMigratePfn[1] = cc.migratePfn;
                }
                if (cc.migratePfn <= zone.compactInitMigratePfn) {
                    cc.wholeZone = true;
                }
            }
            cc.lastMigratedPfn = 0;
            // separate cached PFNs for async and sync; keep them in step until a block with candidates is found
            cc.updateCached = !sync && zone.compactCachedMigratePfn[0] == zone.compactCachedMigratePfn[1];
            // (lru_add_drain(): the simulation has no per-cpu LRU batches; its pcp pages wait for check_drain)
        } finally {
            guest.stopMachine.exit();
        }

        try {
            while (true) {
                guest.stopMachine.enter();
                try {
                    ret = suitable.compactFinished(cc);
                    if (ret != CompactResult.CONTINUE) {
                        break;
                    }
                    ret = compactZoneIteration(cc);
                    if (ret != null) {
                        break;
                    }
                    drainAfterBlock(cc);
                } finally {
                    guest.stopMachine.exit();
                }
            }
        } finally {
            // release free pages and update where the free scanner should restart (also when a checker's
            // KernelBug ends the run: the free targets are compaction's own, not what the BUG was about)
            guest.stopMachine.enter();
            try {
                if (!lists.isEmpty(cc.freepages)) {
                    int freePfn = pageblockStartPfn(freeScanner.releaseFreepages(cc));
                    cc.nrFreepages = 0;
                    // only go back, not forward: the cached pfn might have been reset to the zone end
                    if (freePfn > zone.compactCachedFreePfn) {
                        zone.compactCachedFreePfn = freePfn;
                    }
                }
            } finally {
                guest.stopMachine.exit();
            }
            vmstat.add(VmItem.COMPACTMIGRATE_SCANNED, cc.totalMigrateScanned);
            vmstat.add(VmItem.COMPACTFREE_SCANNED, cc.totalFreeScanned);
            cc.sumMigrateScanned += cc.totalMigrateScanned;
            cc.sumFreeScanned += cc.totalFreeScanned;
        }
        return ret;
    }

    /**
     * No kernel counterpart: a cache hint, like prefetch(). Each isolated user page's PTE lies in its
     * owner's page table (a random cache line per page once the page tables outgrow the cache, as at
     * 4 GiB), and try_to_migrate() reads it under the ptl, whose lock instruction lets no other miss
     * overlap with it. Reading the batch's PTEs here first, without any lock and acting on nothing read,
     * lets their misses overlap. The sum only keeps the JIT from dropping the reads.
     */
    private void prefetchPageTables(int head) {
        int sum = 0;
        for (int pfn = lists.first(head); pfn != head; pfn = lists.next(pfn)) {
            int word = map.mapping[pfn];
            if ((word & MemMap.PAGE_MAPPING_FLAGS) == MemMap.PAGE_MAPPING_ANON
                    && guest.handles.get(word >>> 2) instanceof WorkloadProcess p) {
                sum += p.ptePeek(map.index[pfn]);
            }
        }
        prefetchSink = sum;
    }

    /**
     * compact_zone()'s check_drain: once the migrate scanner left the cc->order aligned block it last
     * migrated from, lru_add_drain_cpu_zone() flushes this CPU's pcp pages (drain_local_pages(), v3.9), so
     * that the freed pages merge and compact_finished() sees whether the allocation would succeed.
     */
    private void drainAfterBlock(CompactControl cc) {
        if (cc.order > 0 && cc.lastMigratedPfn != 0 && alloc.pcp != null
                && cc.lastMigratedPfn < (cc.migratePfn & -(1 << cc.order))) {
            alloc.pcp.drainLocalPages(cc.zone);
            cc.lastMigratedPfn = 0;
        }
    }

    /**
     * One pass of compact_zone()'s loop: isolate a batch, migrate it, put back what failed (with the
     * kernel's one rescan of a partly failed pageblock in the lighter modes). Returns null to go on,
     * or the result that ends the run.
     */
    CompactResult compactZoneIteration(CompactControl cc) {
        Zone zone = cc.zone;
        Migrate migrate = guest.migrate;
        int iterationStartPfn = cc.migratePfn;
        // avoid multiple rescans of the same pageblock: the first rescan captures the whole block
        cc.finishPageblock = pageblockStartPfn(cc.lastMigratedPfn) == pageblockStartPfn(iterationStartPfn);
        while (true) {
            switch (migrateScanner.isolateMigratepages(cc)) {
                case ABORT:
                    migrate.putbackMovablePages(cc.migratepages);
                    cc.nrMigratepages = 0;
                    return CompactResult.CONTENDED;
                case NONE:
                    if (cc.updateCached) {
                        zone.compactCachedMigratePfn[1] = zone.compactCachedMigratePfn[0];
                    }
                    return null;
                default:
                    cc.updateCached = false;
                    cc.lastMigratedPfn = Math.max(zone.startPfn, pageblockStartPfn(cc.migratePfn - 1));
                    break;
            }
            int nrMigratepages = cc.nrMigratepages;
            prefetchPageTables(cc.migratepages);
            int[] nrSucceeded = {0};
            int err = migrate.migratePages(cc.migratepages, cc.compactionAlloc, cc.compactionFree, cc.mode,
                    Migrate.Reason.COMPACTION, nrSucceeded);
            cc.sumMigrated += nrSucceeded[0];
            cc.sumFailed += Math.max(0, nrMigratepages - nrSucceeded[0]);
            // all pages were either migrated or will be released
            cc.nrMigratepages = 0;
            if (err == 0) {
                return null;
            }
            migrate.putbackMovablePages(cc.migratepages);
            // migrate_pages() may fail with -ENOMEM when the scanners meet: compact_finished() sees that
            if (err == -Errno.ENOMEM && !CompactionSuitable.compactScannersMet(cc)) {
                return CompactResult.CONTENDED;
            }
            // a failure inside a pageblock in the lighter modes: scan the rest of the block, so that it is
            // marked skip instead of being revisited soon
            if (!pageblockAligned(cc.migratePfn) && !cc.ignoreSkipHint && !cc.finishPageblock
                    && cc.mode != MigrateMode.SYNC) {
                cc.finishPageblock = true;
                if (cc.order == COMPACTION_HPAGE_ORDER) {
                    cc.lastMigratedPfn = 0;
                }
                continue; // rescan
            }
            return null;
        }
    }

    // ------------------------------------------------------------------ callers

    private static BooleanSupplier currentFatalSignal() {
        return () -> Thread.currentThread().isInterrupted();
    }

    /** compact_zone_order(): one zone for a direct compactor at a priority. */
    private CompactResult compactZoneOrder(Zone zone, int order, int gfp, int prio, int allocFlags,
            int highestZoneidx) {
        MigrateMode mode = prio == COMPACT_PRIO_ASYNC ? MigrateMode.ASYNC : MigrateMode.SYNC_LIGHT;
        try (CompactControl cc = new CompactControl(this, order, gfp, allocFlags, highestZoneidx, mode,
                currentFatalSignal())) {
            cc.zone = zone;
            cc.directCompaction = true;
            cc.wholeZone = prio == MIN_COMPACT_PRIORITY;
            cc.ignoreSkipHint = prio == MIN_COMPACT_PRIORITY;
            cc.ignoreBlockSuitable = prio == MIN_COMPACT_PRIORITY;
            return compactZone(cc);
        }
    }

    /**
     * try_to_compact_pages(): direct compaction of every zone the allocation may use, highest first,
     * stopping at the first that should now satisfy it. Deferred zones are passed over except at
     * MIN_COMPACT_PRIORITY; a sync run that scanned its zone without success defers it.
     */
    @Override
    public boolean tryToCompactPages(int gfp, int order, int allocFlags, int highestZoneIdx, int prio) {
        // gfp_compaction_allowed(): compaction may wait on I/O
        if ((gfp & Gfp.__GFP_IO) == 0) {
            return false;
        }
        CompactResult rc = CompactResult.SKIPPED;
        guest.stopMachine.enter();
        try {
            for (int zi = highestZoneIdx; zi >= 0; zi--) {
                Zone zone = alloc.zones[zi];
                if (zone.presentPages == 0) {
                    continue;
                }
                if (prio > MIN_COMPACT_PRIORITY && CompactionDefer.compactionDeferred(zone, order)) {
                    rc = CompactResult.max(CompactResult.DEFERRED, rc);
                    continue;
                }
                CompactResult status = compactZoneOrder(zone, order, gfp, prio, allocFlags, highestZoneIdx);
                rc = CompactResult.max(status, rc);
                // the allocation should succeed: stop compacting (not certain yet, hence allocSuccess false)
                if (status == CompactResult.SUCCESS) {
                    CompactionDefer.compactionDeferReset(zone, order, false);
                    break;
                }
                // the allocation won't succeed in this zone: defer it there (reset if it does after all)
                if (prio != COMPACT_PRIO_ASYNC
                        && (status == CompactResult.COMPLETE || status == CompactResult.PARTIAL_SKIPPED)) {
                    CompactionDefer.deferCompaction(zone, order);
                }
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
            }
        } finally {
            guest.stopMachine.exit();
        }
        return rc != CompactResult.SKIPPED;
    }

    /** __alloc_pages_direct_compact()'s ending: compact_stall, then compact_success or compact_fail. */
    @Override
    public void directCompactDone(int order, int pfn) {
        vmstat.inc(VmItem.COMPACTSTALL);
        if (pfn != Mm.NO_PAGE) {
            Zone zone = alloc.zoneOf(pfn);
            zone.compactBlockskipFlush = false;
            CompactionDefer.compactionDeferReset(zone, order, true);
            vmstat.inc(VmItem.COMPACTSUCCESS);
        } else {
            vmstat.inc(VmItem.COMPACTFAIL);
        }
    }

    @Override
    public void wakeupKcompactd(int order, int highestZoneIdx) {
        kcompactd.wakeupKcompactd(order, highestZoneIdx);
    }

    /**
     * compact_node(): every zone, whole, ignoring the skip hints; sync for compact_memory (or the mode
     * given), sync-light and stopping at the score's low watermark when proactive. kcompactd's
     * scanned pages are also counted as compact_daemon_*.
     */
    CompactStats compactNode(boolean proactive, MigrateMode mode, BooleanSupplier fatalSignal) {
        List<String> results = new ArrayList<>();
        try (CompactControl cc = new CompactControl(this, -1, Gfp.GFP_KERNEL, 0, zones().length - 1, mode,
                fatalSignal)) {
            cc.ignoreSkipHint = true;
            cc.proactiveCompaction = proactive;
            for (Zone zone : alloc.zones) {
                if (zone.presentPages == 0) {
                    continue;
                }
                if (fatalSignal.getAsBoolean()) {
                    break;
                }
                cc.zone = zone;
                cc.wholeZone = true;
                CompactResult r = compactZone(cc);
                results.add(zone.name + ": " + r.name().toLowerCase());
                if (proactive) {
                    vmstat.add(VmItem.KCOMPACTD_MIGRATE_SCANNED, cc.totalMigrateScanned);
                    vmstat.add(VmItem.KCOMPACTD_FREE_SCANNED, cc.totalFreeScanned);
                }
            }
            return stats(cc, results);
        }
    }

    private static CompactStats stats(CompactControl cc, List<String> results) {
        return new CompactStats(cc.sumMigrateScanned, cc.sumFreeScanned, cc.sumIsolatedMigrate, cc.sumIsolatedFree,
                cc.sumMigrated, cc.sumFailed, results);
    }

    /**
     * compact_nodes(): vm.compact_memory = 1. Every zone of the node, whole, MIGRATE_SYNC, ignoring
     * the skip hints. Interrupting the calling thread stops it (fatal_signal_pending()).
     */
    public CompactStats compactMemory() {
        return compactMemory(MigrateMode.SYNC);
    }

    /** compact_memory with another migrate mode (mm:compact --mode). */
    public CompactStats compactMemory(MigrateMode mode) {
        return compactNode(false, mode, currentFatalSignal());
    }

    /**
     * Compaction for an order, as kcompactd_do_work() runs it but in the caller and without deferral:
     * each zone whose watermarks fail for the order and that compaction_suitable() accepts is
     * compacted until a block of the order is free or its scanners meet.
     */
    public CompactStats compactOrder(int order, MigrateMode mode) {
        if (order < 1 || order > Mm.MAX_PAGE_ORDER) {
            throw new IllegalArgumentException("order " + order + " is outside 1.." + Mm.MAX_PAGE_ORDER);
        }
        List<String> results = new ArrayList<>();
        try (CompactControl cc = new CompactControl(this, order, Gfp.GFP_KERNEL, PageAlloc.ALLOC_WMARK_MIN,
                zones().length - 1, mode, currentFatalSignal())) {
            for (Zone zone : alloc.zones) {
                if (zone.presentPages == 0) {
                    continue;
                }
                cc.zone = zone;
                cc.wholeZone = false;
                CompactResult r = compactZone(cc);
                results.add(zone.name + ": " + r.name().toLowerCase());
            }
            return stats(cc, results);
        }
    }

    // ------------------------------------------------------------------ kcompactd's work

    /**
     * kcompactd_do_work(): compact every zone up to highestZoneidx for the order kcompactd was woken
     * for, sync-light, respecting deferral; a full scan without success defers the zone.
     */
    void kcompactdDoWork(int order, int highestZoneidx, BooleanSupplier kthreadShouldStop) {
        vmstat.inc(VmItem.KCOMPACTD_WAKE);
        try (CompactControl cc = new CompactControl(this, order, Gfp.GFP_KERNEL, PageAlloc.ALLOC_WMARK_MIN,
                highestZoneidx, MigrateMode.SYNC_LIGHT, kthreadShouldStop)) {
            for (int zi = 0; zi <= highestZoneidx && zi < alloc.zones.length; zi++) {
                Zone zone = alloc.zones[zi];
                if (zone.presentPages == 0) {
                    continue;
                }
                if (CompactionDefer.compactionDeferred(zone, order)) {
                    continue;
                }
                if (suitable.compactionSuitAllocationOrder(zone, order, zi, cc.allocFlags, false)
                        != CompactResult.CONTINUE) {
                    continue;
                }
                if (kthreadShouldStop.getAsBoolean()) {
                    return;
                }
                cc.zone = zone;
                cc.wholeZone = false;
                CompactResult status = compactZone(cc);
                if (status == CompactResult.SUCCESS) {
                    CompactionDefer.compactionDeferReset(zone, order, false);
                } else if (status == CompactResult.PARTIAL_SKIPPED || status == CompactResult.COMPLETE) {
                    // buddy pages may be stranded on pcps that could coalesce for order >= cc.order
                    guest.drainAllPages(zone);
                    // sync migration mode here: defer like sync direct compaction
                    CompactionDefer.deferCompaction(zone, order);
                }
                vmstat.add(VmItem.KCOMPACTD_MIGRATE_SCANNED, cc.totalMigrateScanned);
                vmstat.add(VmItem.KCOMPACTD_FREE_SCANNED, cc.totalFreeScanned);
            }
        }
    }

    /** kcompactd_node_suitable(): some zone up to highestZoneidx should be compacted for the order. */
    boolean kcompactdNodeSuitable(int order, int highestZoneidx) {
        for (int zi = 0; zi <= highestZoneidx && zi < alloc.zones.length; zi++) {
            Zone zone = alloc.zones[zi];
            if (zone.presentPages == 0) {
                continue;
            }
            if (suitable.compactionSuitAllocationOrder(zone, order, highestZoneidx, PageAlloc.ALLOC_WMARK_MIN, false)
                    == CompactResult.CONTINUE) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ views

    /** The compact_* vm events, one "name value" line each in vmstat_text order (for mm:migration). */
    String counters() {
        StringBuilder sb = new StringBuilder();
        for (VmItem item : VmItem.values()) {
            if (item.ordinal() >= VmItem.COMPACTMIGRATE_SCANNED.ordinal()
                    && item.ordinal() <= VmItem.KCOMPACTD_FREE_SCANNED.ordinal()) {
                sb.append(item.kernelName()).append(' ').append(vmstat.get(item)).append('\n');
            }
        }
        return sb.toString();
    }

    /** Per zone: the deferral state and the scanners' cached positions, for mm:kcompactd status. */
    List<String> zoneState() {
        List<String> out = new ArrayList<>();
        for (Zone z : alloc.zones) {
            if (z.presentPages == 0) {
                continue;
            }
            out.add(String.format("%-8s score %3d (weighted %3d)  defer_shift %d considered %d order_failed %d"
                    + "  cached migrate %#x/%#x free %#x%s", z.name, score.fragmentationScoreZone(z),
                    score.fragmentationScoreZoneWeighted(z), z.compactDeferShift, z.compactConsidered,
                    z.compactOrderFailed, z.compactCachedMigratePfn[0], z.compactCachedMigratePfn[1],
                    z.compactCachedFreePfn, z.compactBlockskipFlush ? "  blockskip_flush" : ""));
        }
        return out;
    }
}
