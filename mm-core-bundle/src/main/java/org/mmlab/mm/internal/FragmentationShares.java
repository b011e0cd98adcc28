package org.mmlab.mm.internal;

import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;
import org.mmlab.mm.admin.Fragmentation;

/**
 * How fragmented the guest's free memory is, and how far compaction could repair it (no one kernel
 * file: the question mm/compaction.c's fragmentation score asks, answered for the acceptance
 * numbers). Two shares of the free pages, measured in one pass over the memmap with the machine
 * stopped, so that both describe the same instant:
 * <ol>
 * <li>how many free pages sit in free blocks of order &gt;= pageblock_order (9: 2 MiB), i.e. what a
 *     THP or a hugetlb page could be allocated from right now;</li>
 * <li>"the best the layout allows": how many free pages lie in clean pageblocks, those holding no
 *     unmovable or pinned page. Compaction can empty a clean pageblock by migrating its pages away;
 *     a pageblock with one unmovable page in it can never become a free 2 MiB block.</li>
 * </ol>
 *
 * <p>A page is unmovable (or pinned) when it is allocated and neither on the LRU (PG_lru) nor a
 * movable non-LRU page ({@link Migrate#pageHasMovableOps}, per the configured contract). That takes
 * in boot-reserved pages, page tables, slab, bad pages and every allocation made without
 * __GFP_MOVABLE, and also a __GFP_MOVABLE allocation that nobody put on the LRU (nothing could migrate
 * it). A compound page is classified by its head and covers all its pages; the tails of a
 * non-compound high-order allocation (page_owner) go with their head.
 */
public final class FragmentationShares {
    private FragmentationShares() {
    }

    /**
     * Measures the guest with the machine stopped (stop_machine), in one pass over the memmap: about
     * 10 ms for the default 4 GiB guest. Meant for quiescent moments (before and after mm:compact): a
     * page that migration holds isolated is off the LRU then and counts as pinned, and a free page
     * compaction's free scanner holds is off the free lists and does not count as free. Call it from
     * outside mm code; code that already stopped the machine uses {@link #measureStopped}.
     */
    public static Fragmentation measure(GuestMemory g) {
        return g.stopMachine(() -> measureStopped(g));
    }

    /** The pass itself; the caller has stopped the machine (stop_machine does not nest) or owns the guest alone. */
    static Fragmentation measureStopped(GuestMemory g) {
        MemMap map = g.map;
        int n = map.nrPages;
        int nrPageblocks = (n + Mm.PAGEBLOCK_NR_PAGES - 1) >> Mm.PAGEBLOCK_ORDER;
        boolean[] dirty = new boolean[nrPageblocks];
        long[] freeInBlock = new long[nrPageblocks];
        long[] unmovable = new long[1];

        // the tails of live non-compound high-order allocations carry no state of their own
        g.pageOwner.forEach((head, order) -> {
            if (head < n && map.refcount(head) > 0 && !map.hasType(head, PageType.BUDDY) && unmovable(g, head)) {
                int end = Math.min(n, head + (1 << order));
                markDirty(dirty, head, end);
                unmovable[0] += end - head - 1; // the head is counted in the pass
            }
        });

        int[] flags = map.flags;
        int[] word = map.mapcountOrType;
        int buddyTop = PageType.BUDDY.value();
        int reservedBit = 1 << PageFlags.PG_reserved;
        int headBit = 1 << PageFlags.PG_head;
        boolean anyBad = g.alloc.freeChecks.badPageCount() > 0;
        long free = 0;
        long freeHigh = 0;
        int pfn = 0;
        while (pfn < n) {
            if (word[pfn] >>> 24 == buddyTop) {
                int order = map.pagePrivate[pfn];
                int size = 1 << order;
                free += size;
                if (order >= Mm.PAGEBLOCK_ORDER) {
                    freeHigh += size;
                    for (int pb = pfn >> Mm.PAGEBLOCK_ORDER; pb < (pfn + size) >> Mm.PAGEBLOCK_ORDER; pb++) {
                        freeInBlock[pb] += Mm.PAGEBLOCK_NR_PAGES;
                    }
                } else {
                    freeInBlock[pfn >> Mm.PAGEBLOCK_ORDER] += size;
                }
                pfn += size;
                continue;
            }
            int f = flags[pfn];
            if ((f & reservedBit) != 0 || anyBad && g.alloc.freeChecks.isBadPage(pfn)) {
                // memblock kept it at boot, or bad_page() took it out of circulation: it never moves
                unmovable[0]++;
                dirty[pfn >> Mm.PAGEBLOCK_ORDER] = true;
                pfn++;
                continue;
            }
            int head = map.compoundHead(pfn);
            if (head != pfn) {
                // a tail whose head lies before the pass started on it (cannot happen from pfn 0, kept for safety)
                if (map.refcount(head) > 0 && unmovable(g, head)) {
                    unmovable[0]++;
                    dirty[pfn >> Mm.PAGEBLOCK_ORDER] = true;
                }
                pfn++;
                continue;
            }
            if (map.refcount(pfn) <= 0) {
                // a tail of a non-compound allocation (done above), or a page between owners: not pinned
                pfn++;
                continue;
            }
            int size = (f & headBit) != 0 ? 1 << map.compoundOrder(pfn) : 1;
            int end = Math.min(n, pfn + size);
            if (unmovable(g, pfn)) {
                unmovable[0] += end - pfn;
                markDirty(dirty, pfn, end);
            }
            pfn = end;
        }

        long freeClean = 0;
        int clean = 0;
        for (int pb = 0; pb < nrPageblocks; pb++) {
            if (!dirty[pb]) {
                clean++;
                freeClean += freeInBlock[pb];
            }
        }
        return new Fragmentation(free, freeHigh, freeClean, clean, nrPageblocks, unmovable[0]);
    }

    private static void markDirty(boolean[] dirty, int start, int end) {
        for (int pb = start >> Mm.PAGEBLOCK_ORDER; pb <= (end - 1) >> Mm.PAGEBLOCK_ORDER; pb++) {
            dirty[pb] = true;
        }
    }

    /**
     * An allocated head page that nothing can migrate: not on the LRU, and not a movable non-LRU page.
     * Only a page that could be one under some contract is asked about: a movable non-LRU page has a
     * page->mapping (2012's balloon mapping, 2016's PAGE_MAPPING_MOVABLE) or is typed PageOffline or
     * PageZsmalloc (2025's page_has_movable_ops()); slab, page tables and plain kernel pages have neither.
     */
    static boolean unmovable(GuestMemory g, int pfn) {
        MemMap map = g.map;
        if (map.testFlag(pfn, PageFlags.PG_lru)) {
            return false;
        }
        PageType type = map.pageType(pfn);
        int mapping = map.mapping[pfn];
        boolean candidate = type == PageType.OFFLINE || type == PageType.ZSMALLOC
                || mapping != 0 && (mapping & MemMap.PAGE_MAPPING_ANON) == 0;
        return !candidate || !g.migrate.pageHasMovableOps(pfn, null);
    }
}
