package org.mmlab.mm.internal;

import static org.mmlab.mm.internal.Compaction.COMPACT_CLUSTER_MAX;
import static org.mmlab.mm.internal.Compaction.compactLock;
import static org.mmlab.mm.internal.Compaction.pageCompound;
import static org.mmlab.mm.internal.Compaction.pageblockAligned;
import static org.mmlab.mm.internal.Compaction.pageblockEndPfn;
import static org.mmlab.mm.internal.Compaction.pageblockStartPfn;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.IsolateMode;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * Models mm/compaction.c's migrate scanner: isolate_migratepages() walks up from the zone's start
 * to the next pageblock worth scanning (suitable_migration_source()) and
 * isolate_migratepages_block() isolates its LRU pages and movable_ops pages onto
 * cc-&gt;migratepages for migrate_pages().
 *
 * <p>Locking, as the kernel's:
 * <ol>
 * <li>lruvec-&gt;lru_lock is held only while the migrate scanner takes LRU pages; it is dropped every
 *     COMPACT_CLUSTER_MAX PFNs and never held across migrate_pages(), which takes page locks and
 *     the owner's page table lock. The one nesting is mm/migrate.c's order, lru_lock then
 *     zone-&gt;lock, when a page whose isolation failed is freed.</li>
 * <li>Async mode only trylocks it ({@link Compaction#compactLock}).</li>
 * <li>PageBuddy, buddy_order and the compound order are read without locks, as hints: an order out
 *     of range is ignored.</li>
 * </ol>
 */
final class CompactionMigrateScanner {
    /** -EINTR: isolate_migratepages_block() saw a fatal signal. */
    private static final int EINTR = 4;

    /** isolate_migrate_t: the outcome of isolate_migratepages(). */
    enum IsolateMigrate { ABORT, NONE, SUCCESS }

    private final GuestMemory guest;
    private final MemMap map;
    private final PageLists lists;
    private final PageAlloc alloc;
    private final Lruvec lruvec;
    private final VmStat vmstat;
    private final CompactionSkipHints skipHints;

    CompactionMigrateScanner(Compaction compaction) {
        this.guest = compaction.guest;
        this.map = compaction.map;
        this.lists = guest.lists;
        this.alloc = guest.alloc;
        this.lruvec = guest.lruvec;
        this.vmstat = guest.vmstat;
        this.skipHints = compaction.skipHints;
    }

    /** block_end_pfn(pfn, order): ALIGN(pfn + 1, 1 << order). */
    private static int blockEndPfn(int pfn, int order) {
        int size = 1 << order;
        return (pfn + size) & ~(size - 1);
    }

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
                    if (!skipHints.isolationSuitable(cc, lowPfn)) {
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
                if (pageCompound(map, lowPfn)) {
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
                        if (skipHints.testAndSetSkip(cc, validPage) && !cc.finishPageblock) {
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
            CompactionSkipHints.updateCachedMigrate(cc, lowPfn);
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
        if (skipHints.pageblockSkipPersistent(pfn)) {
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
    IsolateMigrate isolateMigratepages(CompactControl cc) {
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
            if ((pageblockAligned(lowPfn) || lowPfn == zone.startPfn) && !skipHints.isolationSuitable(cc, lowPfn)) {
                continue;
            }
            if (!suitableMigrationSource(cc, blockStartPfn)) {
                CompactionSkipHints.updateCachedMigrate(cc, blockEndPfn);
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
}
