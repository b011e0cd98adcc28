package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import org.mmlab.mm.Errno;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.IsolateMode;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

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
 * <p>Locking, as the kernel's:
 * <ol>
 * <li>Every step of a run is inside the stop_machine read section (entry points): one section per
 *     compact_zone() iteration (isolate, migrate, put back), so mm:check sees pages isolated for
 *     migration only while migrate_pages() sleeps on a page lock (Migrate records them for it);
 *     free targets held between iterations are order-0 pages with one reference, as
 *     split_map_pages() leaves them, which mm:check counts as allocated.</li>
 * <li>zone-&gt;lock is held only while the free scanner takes free blocks (__isolate_free_page),
 *     lruvec-&gt;lru_lock only while the migrate scanner takes LRU pages; both are dropped every
 *     COMPACT_CLUSTER_MAX PFNs and never held across migrate_pages(), which takes page locks and
 *     the owner's page table lock. The one nesting is mm/migrate.c's order, lru_lock then
 *     zone-&gt;lock, when a page whose isolation failed is freed.</li>
 * <li>Async mode only trylocks: a contended lock is still taken, but cc-&gt;contended ends the run
 *     (compact_lock_irqsave()).</li>
 * <li>PageBuddy, buddy_order and the pageblock skip bits are read without locks, as hints: an order
 *     out of range is ignored, PageBuddy is rechecked under zone-&gt;lock before a block is taken.</li>
 * </ol>
 */
public final class Compaction implements PageAlloc.DirectCompactor {
    /** COMPACT_CLUSTER_MAX (SWAP_CLUSTER_MAX): pages isolated per migrate_pages() batch. */
    public static final int COMPACT_CLUSTER_MAX = 32;
    /** Do not skip compaction more than 64 times. */
    public static final int COMPACT_MAX_DEFER_SHIFT = 6;
    /** The order proactive compaction measures fragmentation at: HPAGE_PMD_ORDER, 2 MiB. */
    public static final int COMPACTION_HPAGE_ORDER = Mm.PAGEBLOCK_ORDER;
    /** -EINTR: isolate_migratepages_block() saw a fatal signal. */
    private static final int EINTR = 4;

    /** enum compact_result (include/linux/compaction.h), in the kernel's order: callers compare with max(). */
    public enum CompactResult {
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

    /** isolate_migrate_t: the outcome of isolate_migratepages(). */
    private enum IsolateMigrate { ABORT, NONE, SUCCESS }

    /** What one compaction run did: mm:compact prints it. */
    public record CompactStats(long migrateScanned, long freeScanned, long isolatedMigrate, long isolatedFree,
            long migrated, long failed, List<String> zoneResults) {
        public CompactStats {
            zoneResults = List.copyOf(zoneResults);
        }

        public long isolated() {
            return isolatedMigrate + isolatedFree;
        }
    }

    final GuestMemory guest;
    final MemMap map;
    private final PageLists lists;
    private final PageAlloc alloc;
    private final Lruvec lruvec;
    private final VmStat vmstat;
    private final Kcompactd kcompactd;
    /** Where {@link #prefetchPageTables} leaves its sum (read by nothing). */
    @SuppressWarnings("unused")
    private int prefetchSink;

    /** vm.compaction_proactiveness (0..100, default 20). */
    private volatile int sysctlCompactionProactiveness = 20;
    /** vm.extfrag_threshold (0..1000, default 500). */
    private volatile int sysctlExtfragThreshold = 500;

    Compaction(GuestMemory guest) {
        this.guest = guest;
        this.map = guest.map;
        this.lists = guest.lists;
        this.alloc = guest.alloc;
        this.lruvec = guest.lruvec;
        this.vmstat = guest.vmstat;
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
            throw new IllegalArgumentException("compaction_proactiveness " + value + " is outside 0..100");
        }
        sysctlCompactionProactiveness = value;
        if (value != 0) {
            kcompactd.proactiveCompactTrigger();
        }
    }

    public int extfragThreshold() {
        return sysctlExtfragThreshold;
    }

    /** vm.extfrag_threshold: 0..1000. */
    public void setExtfragThreshold(int value) {
        if (value < 0 || value > 1000) {
            throw new IllegalArgumentException("extfrag_threshold " + value + " is outside 0..1000");
        }
        sysctlExtfragThreshold = value;
    }

    // ------------------------------------------------------------------ helpers on PFNs

    private static int pageblockStartPfn(int pfn) {
        return pfn & ~(Mm.PAGEBLOCK_NR_PAGES - 1);
    }

    private static int pageblockEndPfn(int pfn) {
        return pageblockStartPfn(pfn) + Mm.PAGEBLOCK_NR_PAGES;
    }

    private static boolean pageblockAligned(int pfn) {
        return (pfn & (Mm.PAGEBLOCK_NR_PAGES - 1)) == 0;
    }

    /** block_end_pfn(pfn, order): ALIGN(pfn + 1, 1 << order). */
    private static int blockEndPfn(int pfn, int order) {
        int size = 1 << order;
        return (pfn + size) & ~(size - 1);
    }

    private static boolean isViaCompactMemory(int order) {
        return order == -1;
    }

    /** PageCompound(): a head or a tail page. */
    private boolean pageCompound(int pfn) {
        return map.testFlag(pfn, PageFlags.PG_head) || map.isTail(pfn);
    }

    // ------------------------------------------------------------------ deferral

    /*
     * Deferral, per zone and order (rules next to the counters in Zone):
     * i.   a failed sync compaction (complete or partial) doubles how many requests skip the zone,
     *      up to 1 << COMPACT_MAX_DEFER_SHIFT (64), and lowers compact_order_failed to the order;
     * ii.  orders below compact_order_failed are never deferred;
     * iii. a success resets the counts (alloc_success) and raises compact_order_failed past the order.
     */

    /** defer_compaction(). */
    void deferCompaction(Zone zone, int order) {
        zone.compactConsidered = 0;
        zone.compactDeferShift++;
        if (order < zone.compactOrderFailed) {
            zone.compactOrderFailed = order;
        }
        if (zone.compactDeferShift > COMPACT_MAX_DEFER_SHIFT) {
            zone.compactDeferShift = COMPACT_MAX_DEFER_SHIFT;
        }
    }

    /** compaction_deferred(): true if compaction should be skipped this time. */
    boolean compactionDeferred(Zone zone, int order) {
        int deferLimit = 1 << zone.compactDeferShift;
        if (order < zone.compactOrderFailed) {
            return false;
        }
        // avoid possible overflow
        if (++zone.compactConsidered >= deferLimit) {
            zone.compactConsidered = deferLimit;
            return false;
        }
        return true;
    }

    /** compaction_defer_reset(): after a success, or one expected (allocSuccess false). */
    void compactionDeferReset(Zone zone, int order, boolean allocSuccess) {
        if (allocSuccess) {
            zone.compactConsidered = 0;
            zone.compactDeferShift = 0;
        }
        if (order >= zone.compactOrderFailed) {
            zone.compactOrderFailed = order + 1;
        }
    }

    /** compaction_restarting(): true if restarting compaction after many failures. */
    boolean compactionRestarting(Zone zone, int order) {
        if (order < zone.compactOrderFailed) {
            return false;
        }
        return zone.compactDeferShift == COMPACT_MAX_DEFER_SHIFT
                && zone.compactConsidered >= 1 << zone.compactDeferShift;
    }

    // ------------------------------------------------------------------ pageblock skip bits

    /** isolation_suitable(): scan this pageblock? */
    private boolean isolationSuitable(CompactControl cc, int pfn) {
        return cc.ignoreSkipHint || !map.pageblockSkip(pfn);
    }

    /** reset_cached_positions(). */
    private static void resetCachedPositions(Zone zone) {
        zone.compactCachedMigratePfn[0] = zone.startPfn;
        zone.compactCachedMigratePfn[1] = zone.startPfn;
        zone.compactCachedFreePfn = pageblockStartPfn(zone.endPfn - 1);
    }

    /**
     * pageblock_skip_persistent(): compound pages of pageblock order or more are skipped until freed;
     * their pageblocks hold no free page.
     */
    private boolean pageblockSkipPersistent(int pfn) {
        if (!pageCompound(pfn)) {
            return false;
        }
        int head = map.compoundHead(pfn);
        return map.compoundOrder(head) >= Mm.PAGEBLOCK_ORDER;
    }

    /**
     * __reset_isolation_pfn(): clear the block's skip bit if a sample (every 8th page) shows an LRU
     * page (a migration source) or a free page (a target).
     */
    private boolean resetIsolationPfn(Zone zone, int pfn, boolean checkSource, boolean checkTarget) {
        if (!zone.contains(pfn) || pageblockSkipPersistent(pfn)) {
            return false;
        }
        // if skip is already cleared do no further checking once the restart points have been set
        if (checkSource && checkTarget && !map.pageblockSkip(pfn)) {
            return true;
        }
        // if clearing skip for the target scanner, do not select a non-movable pageblock as the starting point
        if (!checkSource && checkTarget && map.pageblockMigratetype(pfn) != MigrateType.MOVABLE) {
            return false;
        }
        int start = Math.max(pageblockStartPfn(pfn), zone.startPfn);
        int end = Math.min(pageblockEndPfn(pfn) - 1, zone.endPfn - 1);
        for (int p = start; p <= end; p += 1 << Mm.PAGE_ALLOC_COSTLY_ORDER) {
            if (checkSource && map.testFlag(p, PageFlags.PG_lru)
                    || checkTarget && map.hasType(p, PageType.BUDDY)) {
                map.setPageblockSkip(start, false);
                return true;
            }
        }
        return false;
    }

    /**
     * __reset_isolation_suitable(): once a full compaction finished (compact_blockskip_flush), walk
     * the zone from both ends clearing the skip bits of blocks that can be a source or a target, and
     * restart the scanners at the first such blocks.
     */
    void resetIsolationSuitable(Zone zone) {
        int migratePfn = zone.startPfn;
        int freePfn = zone.endPfn - 1;
        int resetMigrate = freePfn;
        int resetFree = migratePfn;
        boolean sourceSet = false;
        boolean freeSet = false;
        // only flush if a full compaction finished recently
        if (!zone.compactBlockskipFlush) {
            return;
        }
        zone.compactBlockskipFlush = false;
        for (; migratePfn < freePfn; migratePfn += Mm.PAGEBLOCK_NR_PAGES, freePfn -= Mm.PAGEBLOCK_NR_PAGES) {
            if (resetIsolationPfn(zone, migratePfn, true, sourceSet) && migratePfn < resetMigrate) {
                sourceSet = true;
                resetMigrate = migratePfn;
                zone.compactInitMigratePfn = resetMigrate;
                zone.compactCachedMigratePfn[0] = resetMigrate;
                zone.compactCachedMigratePfn[1] = resetMigrate;
            }
            if (resetIsolationPfn(zone, freePfn, freeSet, true) && freePfn > resetFree) {
                freeSet = true;
                resetFree = freePfn;
                zone.compactInitFreePfn = resetFree;
                zone.compactCachedFreePfn = resetFree;
            }
        }
        // leave no distance if no suitable block was reset
        if (resetMigrate >= resetFree) {
            zone.compactCachedMigratePfn[0] = migratePfn;
            zone.compactCachedMigratePfn[1] = migratePfn;
            zone.compactCachedFreePfn = freePfn;
        }
    }

    /** reset_isolation_suitable(pgdat): every zone (kswapd calls it before it sleeps; here kcompactd). */
    public void resetIsolationSuitable() {
        guest.stopMachine.enter();
        try {
            for (Zone z : alloc.zones) {
                if (z.presentPages > 0) {
                    resetIsolationSuitable(z);
                }
            }
        } finally {
            guest.stopMachine.exit();
        }
    }

    /** test_and_set_skip(): set the skip bit if clear; true if it was already set. */
    private boolean testAndSetSkip(CompactControl cc, int pfn) {
        // do not update if the skip hint is being ignored
        if (cc.ignoreSkipHint) {
            return false;
        }
        boolean skip = map.pageblockSkip(pfn);
        if (!skip && !cc.noSetSkipHint) {
            map.setPageblockSkip(pfn, true);
        }
        return skip;
    }

    /** update_cached_migrate(): where async and sync compaction should restart. */
    private static void updateCachedMigrate(CompactControl cc, int pfn) {
        Zone zone = cc.zone;
        if (cc.noSetSkipHint) {
            return;
        }
        pfn = pageblockEndPfn(pfn);
        if (pfn > zone.compactCachedMigratePfn[0]) {
            zone.compactCachedMigratePfn[0] = pfn;
        }
        if (cc.mode != MigrateMode.ASYNC && pfn > zone.compactCachedMigratePfn[1]) {
            zone.compactCachedMigratePfn[1] = pfn;
        }
    }

    /** update_pageblock_skip(): nothing isolated from this block; the free scanner restarts below it. */
    private void updatePageblockSkip(CompactControl cc, int blockPfn, int pfn) {
        Zone zone = cc.zone;
        if (cc.noSetSkipHint) {
            return;
        }
        map.setPageblockSkip(blockPfn, true);
        if (pfn < zone.compactCachedFreePfn) {
            zone.compactCachedFreePfn = pfn;
        }
    }

    // ------------------------------------------------------------------ locks

    /**
     * compact_lock_irqsave(): async compaction trylocks and records contention (the run ends when the
     * current block is done); sync compaction just takes the lock. Always returns with it held.
     */
    private static void compactLock(ReentrantLock lock, CompactControl cc) {
        if (cc.mode == MigrateMode.ASYNC && !cc.contended) {
            if (lock.tryLock()) {
                return;
            }
            cc.contended = true;
        }
        lock.lock();
    }

    /** compact_unlock_should_abort(): drop the lock if held; abort (contended) on a fatal signal. */
    private static boolean compactUnlockShouldAbort(ReentrantLock lock, boolean[] locked, CompactControl cc) {
        if (locked[0]) {
            lock.unlock();
            locked[0] = false;
        }
        if (cc.fatalSignalPending.getAsBoolean()) {
            cc.contended = true;
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ the free scanner

    /**
     * isolate_freepages_block(): take the free blocks of [startPfn[0], endPfn) off the buddy lists
     * under zone-&gt;lock onto cc-&gt;freepages (head page, order in page->private), looking at every
     * stride-th PFN. Stops when enough are isolated for the pages waiting to migrate. Sets
     * startPfn[0] to where it got to; returns the pages isolated.
     */
    private int isolateFreepagesBlock(CompactControl cc, int[] startPfn, int endPfn, int stride) {
        Zone zone = cc.zone;
        int nrScanned = 0;
        int totalIsolated = 0;
        boolean[] locked = {false};
        int blockpfn = startPfn[0];
        try {
            for (; blockpfn < endPfn; blockpfn += stride) {
                // periodically drop the lock (if held) regardless of its contention; abort on a fatal signal
                if (blockpfn % COMPACT_CLUSTER_MAX == 0 && compactUnlockShouldAbort(zone.lock, locked, cc)) {
                    break;
                }
                nrScanned++;
                // compound pages: skip them at once (racy, but only valid orders are used)
                if (pageCompound(blockpfn)) {
                    int order = map.compoundOrder(blockpfn);
                    if (order <= Mm.MAX_PAGE_ORDER && blockpfn + (1 << order) <= endPfn && order > 0) {
                        blockpfn += (1 << order) - 1;
                        nrScanned += (1 << order) - 1;
                    }
                    continue;
                }
                if (!map.hasType(blockpfn, PageType.BUDDY)) {
                    continue;
                }
                if (!locked[0]) {
                    compactLock(zone.lock, cc);
                    locked[0] = true;
                    // recheck this is a buddy page under the lock
                    if (!map.hasType(blockpfn, PageType.BUDDY)) {
                        continue;
                    }
                }
                // found a free block: it will be split into order-0 pages
                int order = alloc.buddyOrder(blockpfn);
                int isolated = alloc.isolateFreePage(blockpfn, order);
                if (isolated == 0) {
                    break; // the min watermark: compaction must not take the last free pages
                }
                map.pagePrivate[blockpfn] = order; // set_page_private(page, order) for split_map_pages()
                lists.addTail(blockpfn, cc.isolatedBlocks);
                nrScanned += isolated - 1;
                totalIsolated += isolated;
                cc.nrFreepages += isolated;
                if (cc.nrMigratepages <= cc.nrFreepages) {
                    blockpfn += isolated;
                    break;
                }
                // advance to the end of the split block
                blockpfn += isolated - 1;
            }
        } finally {
            if (locked[0]) {
                zone.lock.unlock();
            }
        }
        // be careful not to go outside of the pageblock
        if (blockpfn > endPfn) {
            blockpfn = endPfn;
        }
        startPfn[0] = blockpfn;
        cc.totalFreeScanned += nrScanned;
        if (totalIsolated > 0) {
            vmstat.add(VmItem.COMPACTISOLATED, totalIsolated);
            cc.sumIsolatedFree += totalIsolated;
        }
        return totalIsolated;
    }

    /** suitable_migration_target(): free pages may be taken from this block. */
    private boolean suitableMigrationTarget(CompactControl cc, int pfn) {
        // if the page is a large free page, then disallow migration (read without zone->lock: a hint)
        if (map.hasType(pfn, PageType.BUDDY)) {
            int order = cc.order > 0 ? cc.order : Mm.PAGEBLOCK_ORDER;
            if (alloc.buddyOrder(pfn) >= order) {
                return false;
            }
        }
        if (cc.ignoreBlockSuitable) {
            return true;
        }
        // only MIGRATE_MOVABLE blocks (there is no CMA) receive migrated pages
        return map.pageblockMigratetype(pfn) == MigrateType.MOVABLE;
    }

    /**
     * isolate_freepages(): from where the free scanner stopped, walk down pageblock by pageblock
     * (never into the migrate scanner's block) until enough free pages are isolated, then
     * split_map_pages(). Async mode samples every COMPACT_CLUSTER_MAX-th PFN of a block until a
     * block yields something.
     */
    private void isolateFreepages(CompactControl cc) {
        Zone zone = cc.zone;
        int isolateStartPfn = cc.freePfn;
        int blockStartPfn = pageblockStartPfn(isolateStartPfn);
        int blockEndPfn = Math.min(blockStartPfn + Mm.PAGEBLOCK_NR_PAGES, zone.endPfn);
        int lowPfn = pageblockEndPfn(cc.migratePfn);
        int stride = cc.mode == MigrateMode.ASYNC ? COMPACT_CLUSTER_MAX : 1;
        int[] start = new int[1];
        for (; blockStartPfn >= lowPfn; blockEndPfn = blockStartPfn, blockStartPfn -= Mm.PAGEBLOCK_NR_PAGES,
                isolateStartPfn = blockStartPfn) {
            if (blockStartPfn < zone.startPfn) {
                break; // pageblock_pfn_to_page(): not in this zone
            }
            if (!suitableMigrationTarget(cc, blockStartPfn)) {
                continue;
            }
            // if isolation recently failed, do not retry
            if (!isolationSuitable(cc, blockStartPfn)) {
                continue;
            }
            start[0] = isolateStartPfn;
            int nrIsolated = isolateFreepagesBlock(cc, start, blockEndPfn, stride);
            isolateStartPfn = start[0];
            // update the skip hint if the full pageblock was scanned
            if (isolateStartPfn == blockEndPfn) {
                updatePageblockSkip(cc, blockStartPfn, blockStartPfn - Mm.PAGEBLOCK_NR_PAGES);
            }
            if (cc.nrFreepages >= cc.nrMigratepages) {
                if (isolateStartPfn >= blockEndPfn) {
                    // restart at the previous pageblock if more free pages can be isolated next time
                    isolateStartPfn = blockStartPfn - Mm.PAGEBLOCK_NR_PAGES;
                }
                break;
            } else if (isolateStartPfn < blockEndPfn) {
                break; // isolation failed early (watermark, signal): do not continue needlessly
            }
            stride = nrIsolated > 0 ? 1 : Math.min(COMPACT_CLUSTER_MAX, stride << 1);
        }
        // where the free scanner restarts: where isolation stopped, or below the migrate scanner (met)
        cc.freePfn = isolateStartPfn;
        splitMapPages(cc);
    }

    /**
     * split_map_pages(): post_alloc_hook() and split_page() on every isolated block: each page
     * becomes an order-0 page with one reference, on cc-&gt;freepages.
     */
    private void splitMapPages(CompactControl cc) {
        while (!lists.isEmpty(cc.isolatedBlocks)) {
            int page = lists.first(cc.isolatedBlocks);
            lists.del(page);
            int order = map.pagePrivate[page];
            map.pagePrivate[page] = 0;
            for (int i = 0; i < 1 << order; i++) {
                map.setRefcount(page + i, 1);
                lists.addTail(page + i, cc.freepages);
            }
        }
    }

    /**
     * compaction_alloc(): migrate_pages()'s get_new_folio, handing out the isolated free pages and
     * running the free scanner when there are none. Only order-0 sources are isolated.
     */
    int compactionAlloc(CompactControl cc, int srcPfn, int order) {
        if (order != 0) {
            return Mm.NO_PAGE;
        }
        if (lists.isEmpty(cc.freepages)) {
            isolateFreepages(cc);
            if (lists.isEmpty(cc.freepages)) {
                return Mm.NO_PAGE;
            }
        }
        int freepage = lists.first(cc.freepages);
        lists.del(freepage);
        cc.nrFreepages--;
        cc.nrMigratepages--;
        return freepage;
    }

    /** compaction_free(): migrate_pages()'s put_new_folio: a target that was not used goes back on the list. */
    void compactionFree(CompactControl cc, int pfn, int order) {
        lists.add(pfn, cc.freepages);
        cc.nrFreepages++;
        cc.nrMigratepages++;
    }

    /** release_freepages(): the unused targets back to the buddy allocator; returns the highest PFN. */
    private int releaseFreepages(CompactControl cc) {
        int highPfn = 0;
        while (!lists.isEmpty(cc.freepages)) {
            int page = lists.first(cc.freepages);
            lists.del(page);
            highPfn = Math.max(highPfn, page);
            alloc.freePages(page, 0);
        }
        return highPfn;
    }

    // ------------------------------------------------------------------ the migrate scanner

    /**
     * isolate_migratepages_block(): isolate the migratable pages of [lowPfn, endPfn), one pageblock,
     * onto cc-&gt;migratepages, at most COMPACT_CLUSTER_MAX unless the block must be finished. LRU
     * pages go through folio_isolate_lru(), pages with movable_ops through the driver's
     * isolate_page; free blocks are skipped by their buddy order and compound pages by theirs
     * (both read without a lock and range-checked). Sets cc-&gt;migrate_pfn to the next PFN to scan.
     * Returns 0, or -EINTR on a fatal signal.
     */
    private int isolateMigratepagesBlock(CompactControl cc, int lowPfn, int endPfn, int isolateMode) {
        Zone zone = cc.zone;
        Migrate migrate = guest.migrate;
        long nrScanned = 0;
        int nrIsolated = 0;
        boolean[] locked = {false};
        int validPage = -1;
        boolean skipOnFailure = false;
        int nextSkipPfn = 0;
        boolean skipUpdated = false;
        int ret = 0;
        cc.migratePfn = lowPfn;
        if (cc.directCompaction && cc.mode == MigrateMode.ASYNC) {
            skipOnFailure = true;
            nextSkipPfn = blockEndPfn(lowPfn, cc.order);
        }
        boolean abort = false;
        try {
            for (; lowPfn < endPfn; lowPfn++) {
                if (skipOnFailure && lowPfn >= nextSkipPfn) {
                    // everything in the previous order-aligned block was isolated: migrate it now
                    if (nrIsolated > 0) {
                        break;
                    }
                    nextSkipPfn = blockEndPfn(lowPfn, cc.order);
                }
                // periodically drop the lock; abort completely if a fatal signal is pending
                if (lowPfn % COMPACT_CLUSTER_MAX == 0) {
                    if (locked[0]) {
                        lruvec.lruLock.unlock();
                        locked[0] = false;
                    }
                    if (cc.fatalSignalPending.getAsBoolean()) {
                        cc.contended = true;
                        ret = -EINTR;
                        cc.totalMigrateScanned += nrScanned;
                        countIsolated(cc, nrIsolated);
                        cc.migratePfn = lowPfn;
                        return ret;
                    }
                }
                nrScanned++;
                // the skip bit is checked at the first PFN of the block only: later batches of the block pass
                if (validPage < 0 && (pageblockAligned(lowPfn) || lowPfn == zone.startPfn)) {
                    if (!isolationSuitable(cc, lowPfn)) {
                        lowPfn = endPfn;
                        abort = true;
                        break;
                    }
                    validPage = lowPfn;
                }
                boolean isolated = false;
                if (map.hasType(lowPfn, PageType.BUDDY)) {
                    // skip if free, by the order read without zone->lock: only a valid order is used
                    int freepageOrder = alloc.buddyOrder(lowPfn);
                    if (freepageOrder > 0 && freepageOrder <= Mm.MAX_PAGE_ORDER) {
                        lowPfn += (1 << freepageOrder) - 1;
                        nrScanned += (1 << freepageOrder) - 1;
                    }
                    continue;
                }
                if (pageCompound(lowPfn)) {
                    // THP, slab and other compound pages are not compacted: skip them at once (racy, range-checked)
                    int order = map.compoundOrder(lowPfn);
                    if (order > 0 && order <= Mm.MAX_PAGE_ORDER) {
                        lowPfn += (1 << order) - 1;
                        nrScanned += (1 << order) - 1;
                    }
                } else if (!map.testFlag(lowPfn, PageFlags.PG_lru)) {
                    // a movable_ops page (balloon, zsmalloc): the lockless hints, then the contract's isolation
                    if (migrate.pageHasMovableOps(lowPfn) && !migrate.pageMovableIsolated(lowPfn)) {
                        if (locked[0]) {
                            lruvec.lruLock.unlock();
                            locked[0] = false;
                        }
                        isolated = migrate.isolateMovablePage(lowPfn, isolateMode);
                    }
                } else if (!lruPageTooPinned(cc, lowPfn, isolateMode)) {
                    if (!skipUpdated && validPage >= 0) {
                        // try to get exclusive access under the lock: if marked for skip, another
                        // compactor has the block, unless this is a rescan to reach its end
                        if (!locked[0]) {
                            compactLock(lruvec.lruLock, cc);
                            locked[0] = true;
                        }
                        skipUpdated = true;
                        if (testAndSetSkip(cc, validPage) && !cc.finishPageblock) {
                            lowPfn = endPfn;
                            abort = true;
                            break;
                        }
                    }
                    // folio_try_get(); folio_test_large() under the reference (a referenced page cannot become
                    // a head: order-0 migration only); folio_test_clear_lru(); then lruvec_del_folio() under
                    // lru_lock, which stays held for the next pages (isolate_migratepages_block())
                    if (map.refIncUnlessZero(lowPfn)) {
                        if (map.testFlag(lowPfn, PageFlags.PG_head) || !map.testAndClearFlag(lowPfn, PageFlags.PG_lru)) {
                            if (locked[0]) {
                                // isolate_fail_put: avoid freeing a page under lru_lock
                                lruvec.lruLock.unlock();
                                locked[0] = false;
                            }
                            guest.putPageInside(lowPfn);
                        } else {
                            if (!locked[0]) {
                                compactLock(lruvec.lruLock, cc); // folio_lruvec_relock_irqsave()
                                locked[0] = true;
                            }
                            lruvec.delFolioLocked(lowPfn);
                            migrate.accountIsolatedLru(lowPfn);
                            isolated = true;
                        }
                    }
                }
                if (isolated) {
                    // isolate_success
                    lists.add(lowPfn, cc.migratepages);
                    cc.nrMigratepages++;
                    nrIsolated++;
                    // avoid isolating too much unless this block is being fully scanned or a lock is contended
                    if (cc.nrMigratepages >= COMPACT_CLUSTER_MAX && !cc.finishPageblock && !cc.contended) {
                        ++lowPfn;
                        break;
                    }
                    continue;
                }
                // isolate_fail
                if (!skipOnFailure) {
                    continue;
                }
                // some pages were isolated but one failed: the cc->order block cannot be formed, release them
                if (nrIsolated > 0) {
                    if (locked[0]) {
                        lruvec.lruLock.unlock();
                        locked[0] = false;
                    }
                    migrate.putbackMovablePages(cc.migratepages);
                    cc.nrMigratepages = 0;
                    nrIsolated = 0;
                }
                if (lowPfn < nextSkipPfn) {
                    lowPfn = nextSkipPfn - 1;
                    nextSkipPfn += 1 << cc.order;
                }
            }
            // the PageBuddy() skip could have brought us outside the range
            if (!abort && lowPfn > endPfn) {
                lowPfn = endPfn;
            }
        } finally {
            if (locked[0]) {
                lruvec.lruLock.unlock();
            }
        }
        // once the block is scanned: mark it skipped if nothing came of it (or it was rescanned twice)
        if (lowPfn == endPfn && (nrIsolated == 0 || cc.finishPageblock)) {
            if (!cc.noSetSkipHint && validPage >= 0 && !skipUpdated) {
                map.setPageblockSkip(validPage, true);
            }
            updateCachedMigrate(cc, lowPfn);
        }
        cc.totalMigrateScanned += nrScanned;
        countIsolated(cc, nrIsolated);
        cc.migratePfn = lowPfn;
        return ret;
    }

    private void countIsolated(CompactControl cc, int nrIsolated) {
        if (nrIsolated > 0) {
            vmstat.add(VmItem.COMPACTISOLATED, nrIsolated);
            cc.sumIsolatedMigrate += nrIsolated;
        }
    }

    /**
     * The lockless checks before an LRU page is isolated: migration would fail on an anon page
     * pinned in memory (more references than mappings); GFP_NOFS compaction takes only pages
     * without a mapping; async mode skips pages under writeback. Anon folios have no
     * folio_mapping(), so their dirtiness never keeps async compaction from them.
     */
    private boolean lruPageTooPinned(CompactControl cc, int pfn, int isolateMode) {
        int mapping = map.mapping[pfn];
        boolean hasMapping = mapping != 0 && (mapping & MemMap.PAGE_MAPPING_ANON) == 0;
        if (!hasMapping && map.refcount(pfn) > map.mapcount(pfn)) {
            return true;
        }
        if ((cc.gfpMask & Gfp.__GFP_FS) == 0 && hasMapping) {
            return true;
        }
        return (isolateMode & IsolateMode.ISOLATE_ASYNC_MIGRATE) != 0 && map.testFlag(pfn, PageFlags.PG_writeback);
    }

    /** suitable_migration_source(): may pages be taken from this block? */
    private boolean suitableMigrationSource(CompactControl cc, int pfn) {
        if (pageblockSkipPersistent(pfn)) {
            return false;
        }
        // background compaction produces blocks for the zone at large: all block types
        if (!cc.directCompaction) {
            return true;
        }
        MigrateType blockMt = map.pageblockMigratetype(pfn);
        // once compaction escalates to synchronous scans, scan all blocks to make progress
        if (cc.mode != MigrateMode.ASYNC) {
            return true;
        }
        // keep small unmovable/reclaimable requests from polluting movable blocks
        if (cc.migratetype == MigrateType.MOVABLE.ordinal() || cc.order >= Mm.PAGEBLOCK_ORDER) {
            return blockMt == MigrateType.MOVABLE;
        }
        return blockMt.ordinal() == cc.migratetype;
    }

    /**
     * isolate_migratepages(): from the migrate scanner's position, find the first pageblock (below
     * the free scanner's) worth scanning and isolate from it.
     */
    private IsolateMigrate isolateMigratepages(CompactControl cc) {
        Zone zone = cc.zone;
        // vm.compact_unevictable_allowed (1); async and sync-light modes isolate only what migrates without blocking
        int isolateMode = IsolateMode.ISOLATE_UNEVICTABLE
                | (cc.mode != MigrateMode.SYNC ? IsolateMode.ISOLATE_ASYNC_MIGRATE : 0);
        int lowPfn = cc.migratePfn;
        int blockStartPfn = Math.max(pageblockStartPfn(lowPfn), zone.startPfn);
        int blockEndPfn = pageblockEndPfn(lowPfn);
        // iterate over whole pageblocks until the first suitable; do not cross the free scanner
        for (; blockEndPfn <= cc.freePfn; cc.migratePfn = lowPfn = blockEndPfn, blockStartPfn = blockEndPfn,
                blockEndPfn += Mm.PAGEBLOCK_NR_PAGES) {
            // if isolation recently failed, do not retry; only check the block once
            if ((pageblockAligned(lowPfn) || lowPfn == zone.startPfn) && !isolationSuitable(cc, lowPfn)) {
                continue;
            }
            if (!suitableMigrationSource(cc, blockStartPfn)) {
                updateCachedMigrate(cc, blockEndPfn);
                continue;
            }
            if (isolateMigratepagesBlock(cc, lowPfn, blockEndPfn, isolateMode) != 0) {
                return IsolateMigrate.ABORT;
            }
            // either something was isolated, or compact_zone() decides whether to go on
            break;
        }
        return cc.nrMigratepages > 0 ? IsolateMigrate.SUCCESS : IsolateMigrate.NONE;
    }

    // ------------------------------------------------------------------ fragmentation score (proactive)

    /** fragmentation_score_zone(): extfrag_for_order(zone, COMPACTION_HPAGE_ORDER), 0..100. */
    public int fragmentationScoreZone(Zone zone) {
        return ExtfragIndex.extfragForOrder(zone, COMPACTION_HPAGE_ORDER);
    }

    /** fragmentation_score_zone_weighted(): scaled by the zone's share of the node, so small zones count little. */
    int fragmentationScoreZoneWeighted(Zone zone) {
        long score = (long) zone.presentPages * fragmentationScoreZone(zone);
        return (int) (score / (nodePresentPages() + 1));
    }

    private long nodePresentPages() {
        long n = 0;
        for (Zone z : alloc.zones) {
            n += z.presentPages;
        }
        return n;
    }

    /** fragmentation_score_node(): the sum of the weighted zone scores, 0..100. */
    public int fragmentationScoreNode() {
        int score = 0;
        for (Zone z : alloc.zones) {
            if (z.presentPages > 0) {
                score += fragmentationScoreZoneWeighted(z);
            }
        }
        return score;
    }

    /** fragmentation_score_wmark(): wmark_low = 100 - proactiveness; wmark_high = wmark_low + min(10, wmark_low / 2). */
    public int fragmentationScoreWmark(boolean low) {
        int wmarkLow = 100 - sysctlCompactionProactiveness;
        int leeway = Math.min(10, wmarkLow / 2);
        return low ? wmarkLow : Math.min(wmarkLow + leeway, 100);
    }

    /** should_proactive_compact_node(): proactiveness on (no kswapd to run) and the node's score above wmark_high. */
    boolean shouldProactiveCompactNode() {
        if (sysctlCompactionProactiveness == 0) {
            return false;
        }
        return fragmentationScoreNode() > fragmentationScoreWmark(false);
    }

    // ------------------------------------------------------------------ compact_finished / suitable

    /** compact_scanners_met(): the free scanner reached the migrate scanner's pageblock (or below). */
    static boolean compactScannersMet(CompactControl cc) {
        return cc.freePfn >> Mm.PAGEBLOCK_ORDER <= cc.migratePfn >> Mm.PAGEBLOCK_ORDER;
    }

    /** __compact_finished(). */
    private CompactResult compactFinishedInner(CompactControl cc) {
        Zone zone = cc.zone;
        // a run completes when the scanners meet
        if (compactScannersMet(cc)) {
            // let the next compaction start anew
            resetCachedPositions(zone);
            // the skip bits go when the allocation that asked for this is satisfied: direct compaction only
            if (cc.directCompaction) {
                zone.compactBlockskipFlush = true;
            }
            return cc.wholeZone ? CompactResult.COMPLETE : CompactResult.PARTIAL_SKIPPED;
        }
        CompactResult ret;
        if (cc.proactiveCompaction) {
            // (kswapd_is_running(): the simulation has no kswapd)
            ret = fragmentationScoreZone(zone) > fragmentationScoreWmark(true) ? CompactResult.CONTINUE
                    : CompactResult.SUCCESS;
        } else {
            if (isViaCompactMemory(cc.order)) {
                return CompactResult.CONTINUE;
            }
            // always finish scanning a pageblock, to make fallbacks less likely later
            if (!pageblockAligned(cc.migratePfn)) {
                return CompactResult.CONTINUE;
            }
            // direct compactor: is a suitable page free?
            ret = CompactResult.NO_SUITABLE_PAGE;
            boolean[] canSteal = new boolean[1];
            for (int order = cc.order; order < Mm.NR_PAGE_ORDERS; order++) {
                // job done if a page is free of the right migratetype
                if (!zone.freeAreaEmpty(order, cc.migratetype)) {
                    return CompactResult.SUCCESS;
                }
                // job done if the allocation would steal free pages from other migratetypes' lists
                if (PageAlloc.findSuitableFallback(zone, order, cc.migratetype, canSteal) != -1 && canSteal[0]) {
                    return CompactResult.SUCCESS;
                }
            }
        }
        if (cc.contended || cc.fatalSignalPending.getAsBoolean()) {
            ret = CompactResult.CONTENDED;
        }
        return ret;
    }

    /** compact_finished(). */
    private CompactResult compactFinished(CompactControl cc) {
        CompactResult ret = compactFinishedInner(cc);
        return ret == CompactResult.NO_SUITABLE_PAGE ? CompactResult.CONTINUE : ret;
    }

    /** compact_gap(): twice the request, for the free pages isolated as targets while the sources are not freed yet. */
    static long compactGap(int order) {
        return 2L << order;
    }

    /**
     * __compaction_suitable(): the order-0 watermark plus compact_gap() (plus low - min for costly
     * orders) must be met for the free scanner to find targets.
     */
    private boolean compactionSuitableWatermark(Zone zone, int order, long watermark, int highestZoneidx,
            long freePages) {
        watermark += compactGap(order);
        if (order > Mm.PAGE_ALLOC_COSTLY_ORDER) {
            watermark += zone.watermark[Zone.WMARK_LOW] - zone.watermark[Zone.WMARK_MIN];
        }
        return alloc.zoneWatermarkOk(zone, 0, watermark, highestZoneidx, 0, freePages);
    }

    /**
     * compaction_suitable() with the result its tracepoint records: SKIPPED below the watermark,
     * NOT_SUITABLE_ZONE when a costly order fails for lack of memory rather than fragmentation
     * (0 &lt;= fragmentation_index &lt;= extfrag_threshold), else CONTINUE.
     */
    CompactResult compactionSuitableResult(Zone zone, int order, long watermark, int highestZoneidx) {
        if (!compactionSuitableWatermark(zone, order, watermark, highestZoneidx, zone.freePages)) {
            return CompactResult.SKIPPED;
        }
        if (order > Mm.PAGE_ALLOC_COSTLY_ORDER) {
            int fragindex = ExtfragIndex.fragmentationIndex(zone, order);
            if (fragindex >= 0 && fragindex <= sysctlExtfragThreshold) {
                return CompactResult.NOT_SUITABLE_ZONE;
            }
        }
        return CompactResult.CONTINUE;
    }

    /** compaction_suitable(): is this zone worth compacting for the order now? */
    public boolean compactionSuitable(Zone zone, int order, long watermark, int highestZoneidx) {
        return compactionSuitableResult(zone, order, watermark, highestZoneidx) == CompactResult.CONTINUE;
    }

    /**
     * compaction_suit_allocation_order(): SUCCESS if the allocation would succeed already, SKIPPED if
     * compaction is likely to fail, CONTINUE if it should run.
     */
    CompactResult compactionSuitAllocationOrder(Zone zone, int order, int highestZoneidx, int allocFlags,
            boolean async) {
        long freePages = zone.freePages;
        long watermark = zone.watermark[allocFlags & PageAlloc.ALLOC_WMARK_MASK];
        if (alloc.zoneWatermarkOk(zone, order, watermark, highestZoneidx, allocFlags, freePages)) {
            return CompactResult.SUCCESS;
        }
        if (order > Mm.PAGE_ALLOC_COSTLY_ORDER && async
                && !alloc.zoneWatermarkOk(zone, 0, watermark + compactGap(order), highestZoneidx, 0, freePages)) {
            return CompactResult.SKIPPED;
        }
        if (!compactionSuitable(zone, order, watermark, highestZoneidx)) {
            return CompactResult.SKIPPED;
        }
        return CompactResult.CONTINUE;
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
                ret = compactionSuitAllocationOrder(zone, cc.order, cc.highestZoneidx, cc.allocFlags,
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
                resetIsolationSuitable(zone);
            }
            // clear the skip bits if there were failures recently and compaction is retried after deferral
            if (compactionRestarting(zone, cc.order)) {
                resetIsolationSuitable(zone);
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
            // (lru_add_drain(): the simulation has no per-cpu LRU batches)
        } finally {
            guest.stopMachine.exit();
        }

        try {
            while (true) {
                guest.stopMachine.enter();
                try {
                    ret = compactFinished(cc);
                    if (ret != CompactResult.CONTINUE) {
                        break;
                    }
                    ret = compactZoneIteration(cc);
                    if (ret != null) {
                        break;
                    }
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
                    int freePfn = pageblockStartPfn(releaseFreepages(cc));
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
            switch (isolateMigratepages(cc)) {
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
            if (err == -Errno.ENOMEM && !compactScannersMet(cc)) {
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
                if (prio > MIN_COMPACT_PRIORITY && compactionDeferred(zone, order)) {
                    rc = CompactResult.max(CompactResult.DEFERRED, rc);
                    continue;
                }
                CompactResult status = compactZoneOrder(zone, order, gfp, prio, allocFlags, highestZoneIdx);
                rc = CompactResult.max(status, rc);
                // the allocation should succeed: stop compacting (not certain yet, hence allocSuccess false)
                if (status == CompactResult.SUCCESS) {
                    compactionDeferReset(zone, order, false);
                    break;
                }
                // the allocation won't succeed in this zone: defer it there (reset if it does after all)
                if (prio != COMPACT_PRIO_ASYNC
                        && (status == CompactResult.COMPLETE || status == CompactResult.PARTIAL_SKIPPED)) {
                    deferCompaction(zone, order);
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
            compactionDeferReset(zone, order, true);
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
                if (compactionDeferred(zone, order)) {
                    continue;
                }
                if (compactionSuitAllocationOrder(zone, order, zi, cc.allocFlags, false) != CompactResult.CONTINUE) {
                    continue;
                }
                if (kthreadShouldStop.getAsBoolean()) {
                    return;
                }
                cc.zone = zone;
                cc.wholeZone = false;
                CompactResult status = compactZone(cc);
                if (status == CompactResult.SUCCESS) {
                    compactionDeferReset(zone, order, false);
                } else if (status == CompactResult.PARTIAL_SKIPPED || status == CompactResult.COMPLETE) {
                    // (drain_all_pages(): no per-cpu lists) sync migration mode here: defer like sync direct compaction
                    deferCompaction(zone, order);
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
            if (compactionSuitAllocationOrder(zone, order, highestZoneidx, PageAlloc.ALLOC_WMARK_MIN, false)
                    == CompactResult.CONTINUE) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ views

    /** The compact_* vm events, one "name value" line each in vmstat_text order (for mm:migration). */
    public String counters() {
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
    public List<String> zoneState() {
        List<String> out = new ArrayList<>();
        for (Zone z : alloc.zones) {
            if (z.presentPages == 0) {
                continue;
            }
            out.add(String.format("%-8s score %3d (weighted %3d)  defer_shift %d considered %d order_failed %d"
                    + "  cached migrate %#x/%#x free %#x%s", z.name, fragmentationScoreZone(z),
                    fragmentationScoreZoneWeighted(z), z.compactDeferShift, z.compactConsidered, z.compactOrderFailed,
                    z.compactCachedMigratePfn[0], z.compactCachedMigratePfn[1], z.compactCachedFreePfn,
                    z.compactBlockskipFlush ? "  blockskip_flush" : ""));
        }
        return out;
    }
}
