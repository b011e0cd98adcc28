package org.mmlab.mm.internal;

import static org.mmlab.mm.internal.Compaction.COMPACT_CLUSTER_MAX;
import static org.mmlab.mm.internal.Compaction.compactLock;
import static org.mmlab.mm.internal.Compaction.pageCompound;
import static org.mmlab.mm.internal.Compaction.pageblockEndPfn;
import static org.mmlab.mm.internal.Compaction.pageblockStartPfn;

import java.util.concurrent.locks.ReentrantLock;

import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageType;

/**
 * Models mm/compaction.c's free scanner: isolate_freepages() walks down from the zone's end and
 * isolate_freepages_block() takes free blocks off the buddy lists as migration targets;
 * split_map_pages() makes them order-0 pages, compaction_alloc() and compaction_free() hand them to
 * migrate_pages() and take back those it did not use, release_freepages() frees what is left.
 *
 * <p>Locking, as the kernel's:
 * <ol>
 * <li>zone-&gt;lock is held only while the free scanner takes free blocks (__isolate_free_page());
 *     it is dropped every COMPACT_CLUSTER_MAX PFNs and never held across migrate_pages(), which
 *     takes page locks and the owner's page table lock.</li>
 * <li>Async mode only trylocks it ({@link Compaction#compactLock}).</li>
 * <li>PageBuddy and buddy_order are read without locks, as hints: an order out of range is ignored,
 *     PageBuddy is rechecked under zone-&gt;lock before a block is taken.</li>
 * </ol>
 */
final class CompactionFreeScanner {
    private final MemMap map;
    private final PageLists lists;
    private final PageAlloc alloc;
    private final VmStat vmstat;
    private final CompactionSkipHints skipHints;

    CompactionFreeScanner(Compaction compaction) {
        this.map = compaction.map;
        this.lists = compaction.guest.lists;
        this.alloc = compaction.guest.alloc;
        this.vmstat = compaction.guest.vmstat;
        this.skipHints = compaction.skipHints;
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
                if (pageCompound(map, blockpfn)) {
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
            if (!skipHints.isolationSuitable(cc, blockStartPfn)) {
                continue;
            }
            start[0] = isolateStartPfn;
            int nrIsolated = isolateFreepagesBlock(cc, start, blockEndPfn, stride);
            isolateStartPfn = start[0];
            // update the skip hint if the full pageblock was scanned
            if (isolateStartPfn == blockEndPfn) {
                skipHints.updatePageblockSkip(cc, blockStartPfn, blockStartPfn - Mm.PAGEBLOCK_NR_PAGES);
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
    int releaseFreepages(CompactControl cc) {
        int highPfn = 0;
        while (!lists.isEmpty(cc.freepages)) {
            int page = lists.first(cc.freepages);
            lists.del(page);
            highPfn = Math.max(highPfn, page);
            alloc.freePages(page, 0);
        }
        return highPfn;
    }
}
