package org.mmlab.mm.internal;

import static org.mmlab.mm.internal.PageAlloc.ALLOC_NOFRAGMENT;
import static org.mmlab.mm.internal.PageAlloc.HIGHATOMIC;
import static org.mmlab.mm.internal.PageAlloc.MOVABLE;
import static org.mmlab.mm.internal.PageAlloc.accountFreepages;

import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * Models mm/page_alloc.c's migratetype fallback: when a migratetype's free lists have no block large
 * enough, __rmqueue_fallback() takes one from another type in the order of the fallbacks[] table,
 * the largest block first, and steal_suitable_fallback() claims its whole pageblock when half of it
 * is free or alike (__move_freepages_block()). Called by {@link PageAlloc} with zone->lock held.
 */
final class PageAllocFallback {
    /** fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1]. */
    private static final int[][] FALLBACKS = {
        {MigrateType.RECLAIMABLE.ordinal(), MigrateType.MOVABLE.ordinal()},
        {MigrateType.RECLAIMABLE.ordinal(), MigrateType.UNMOVABLE.ordinal()},
        {MigrateType.UNMOVABLE.ordinal(), MigrateType.MOVABLE.ordinal()},
    };

    private final PageAlloc alloc;
    private final MemMap map;
    private final PageLists lists;

    PageAllocFallback(PageAlloc alloc) {
        this.alloc = alloc;
        this.map = alloc.map;
        this.lists = alloc.lists;
    }

    /** can_steal_fallback(). */
    private static boolean canStealFallback(int order, int startMt) {
        return order >= Mm.PAGEBLOCK_ORDER / 2 || startMt == MigrateType.RECLAIMABLE.ordinal()
                || startMt == MigrateType.UNMOVABLE.ordinal();
    }

    /** find_suitable_fallback(): the first fallback type with a free block of this order; sets canSteal[0]. */
    static int findSuitableFallback(Zone z, int order, int startMt, boolean[] canSteal) {
        if (z.nrFree[order] == 0) {
            return -1;
        }
        canSteal[0] = false;
        for (int fallbackMt : FALLBACKS[startMt]) {
            if (z.freeAreaEmpty(order, fallbackMt)) {
                continue;
            }
            canSteal[0] = order >= Mm.PAGEBLOCK_ORDER || canStealFallback(order, startMt);
            return fallbackMt;
        }
        return -1;
    }

    /** __rmqueue_fallback(): steal from another migratetype, the largest block first. */
    int rmqueueFallback(Zone z, int order, int startMt, int allocFlags) {
        int minOrder = order < Mm.PAGEBLOCK_ORDER && (allocFlags & ALLOC_NOFRAGMENT) != 0 ? Mm.PAGEBLOCK_ORDER : order;
        boolean[] canSteal = new boolean[1];
        int current;
        int fallbackMt = -1;
        for (current = Mm.MAX_PAGE_ORDER; current >= minOrder; current--) {
            fallbackMt = findSuitableFallback(z, current, startMt, canSteal);
            if (fallbackMt != -1) {
                break;
            }
        }
        if (fallbackMt == -1) {
            return Mm.NO_PAGE;
        }
        if (!canSteal[0] && startMt == MOVABLE && current > order) {
            // can't claim the block: split the smallest block instead, which fragments least
            for (current = order; current < Mm.NR_PAGE_ORDERS; current++) {
                fallbackMt = findSuitableFallback(z, current, startMt, canSteal);
                if (fallbackMt != -1) {
                    break;
                }
            }
        }
        int pfn = lists.first(z.freeList[current][fallbackMt]);
        return stealSuitableFallback(z, pfn, current, order, startMt, canSteal[0]);
    }

    /** steal_suitable_fallback(): claim the whole pageblock when enough of it is free or alike. */
    private int stealSuitableFallback(Zone z, int pfn, int current, int order, int startMt, boolean wholeBlock) {
        int blockType = map.pageblockMigratetype(pfn).ordinal();
        if (blockType != HIGHATOMIC) {
            if (current >= Mm.PAGEBLOCK_ORDER) {
                alloc.delFromFreeList(pfn, z, current, blockType);
                accountFreepages(z, -(1L << current), blockType);
                for (int p = pfn; p < pfn + (1 << current); p += Mm.PAGEBLOCK_NR_PAGES) {
                    map.setPageblockMigratetype(p, MigrateType.of(startMt));
                }
                accountFreepages(z, (1L << current) - (1L << order), startMt);
                alloc.expand(z, pfn, order, current, startMt);
                return pfn;
            }
            if (wholeBlock) {
                int start = pfn & ~(Mm.PAGEBLOCK_NR_PAGES - 1);
                if (z.contains(start) && z.contains(start + Mm.PAGEBLOCK_NR_PAGES - 1)) {
                    int[] freeAndMovable = countFreeAndMovable(start);
                    int alike = startMt == MOVABLE ? freeAndMovable[1]
                            : blockType == MOVABLE ? Mm.PAGEBLOCK_NR_PAGES - freeAndMovable[0] - freeAndMovable[1] : 0;
                    if (freeAndMovable[0] + alike >= Mm.PAGEBLOCK_NR_PAGES / 2) {
                        moveFreepagesBlock(z, start, blockType, startMt);
                        return alloc.rmqueueSmallest(z, order, startMt);
                    }
                }
            }
        }
        alloc.pageDelAndExpand(z, pfn, order, current, blockType);
        return pfn;
    }

    /** prep_move_freepages_block()'s count: free pages and movable (LRU) pages in a pageblock. */
    private int[] countFreeAndMovable(int start) {
        int free = 0;
        int movable = 0;
        for (int pfn = start; pfn < start + Mm.PAGEBLOCK_NR_PAGES; ) {
            if (map.hasType(pfn, PageType.BUDDY)) {
                int n = 1 << map.pagePrivate[pfn];
                free += n;
                pfn += n;
                continue;
            }
            if (map.testFlag(pfn, PageFlags.PG_lru)) {
                movable++;
            }
            pfn++;
        }
        return new int[] {free, movable};
    }

    /** __move_freepages_block(): every free block of a pageblock to another migratetype's lists. */
    private void moveFreepagesBlock(Zone z, int start, int oldMt, int newMt) {
        for (int pfn = start; pfn < start + Mm.PAGEBLOCK_NR_PAGES; ) {
            if (!map.hasType(pfn, PageType.BUDDY)) {
                pfn++;
                continue;
            }
            int order = map.pagePrivate[pfn];
            alloc.delFromFreeList(pfn, z, order, oldMt);
            alloc.addToFreeList(pfn, z, order, newMt, false);
            accountFreepages(z, -(1L << order), oldMt);
            accountFreepages(z, 1L << order, newMt);
            pfn += 1 << order;
        }
        map.setPageblockMigratetype(start, MigrateType.of(newMt));
    }
}
