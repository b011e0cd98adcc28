package org.mmlab.mm.internal;

import static org.mmlab.mm.internal.Compaction.pageCompound;
import static org.mmlab.mm.internal.Compaction.pageblockEndPfn;
import static org.mmlab.mm.internal.Compaction.pageblockStartPfn;

import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * Models mm/compaction.c's skip hints: the pageblock skip bits (isolation_suitable(),
 * test_and_set_skip(), update_pageblock_skip(), __reset_isolation_suitable()) and the scanners'
 * cached positions in struct zone (reset_cached_positions(), update_cached_migrate()), which let a
 * run pass over the blocks an earlier one found nothing in and start where it stopped.
 *
 * <p>The skip bits are read without locks, as hints (MemMap sets and clears them atomically); the
 * cached positions are Zone's lockless hints.
 */
final class CompactionSkipHints {
    private final GuestMemory guest;
    private final MemMap map;
    private final PageAlloc alloc;

    CompactionSkipHints(Compaction compaction) {
        this.guest = compaction.guest;
        this.map = compaction.map;
        this.alloc = compaction.guest.alloc;
    }

    /** isolation_suitable(): scan this pageblock? */
    boolean isolationSuitable(CompactControl cc, int pfn) {
        return cc.ignoreSkipHint || !map.pageblockSkip(pfn);
    }

    /** reset_cached_positions(). */
    static void resetCachedPositions(Zone zone) {
        zone.compactCachedMigratePfn[0] = zone.startPfn;
        zone.compactCachedMigratePfn[1] = zone.startPfn;
        zone.compactCachedFreePfn = pageblockStartPfn(zone.endPfn - 1);
    }

    /**
     * pageblock_skip_persistent(): compound pages of pageblock order or more are skipped until freed;
     * their pageblocks hold no free page.
     */
    boolean pageblockSkipPersistent(int pfn) {
        if (!pageCompound(map, pfn)) {
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
    void resetIsolationSuitable() {
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
    boolean testAndSetSkip(CompactControl cc, int pfn) {
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
    static void updateCachedMigrate(CompactControl cc, int pfn) {
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
    void updatePageblockSkip(CompactControl cc, int blockPfn, int pfn) {
        Zone zone = cc.zone;
        if (cc.noSetSkipHint) {
            return;
        }
        map.setPageblockSkip(blockPfn, true);
        if (pfn < zone.compactCachedFreePfn) {
            zone.compactCachedFreePfn = pfn;
        }
    }
}
