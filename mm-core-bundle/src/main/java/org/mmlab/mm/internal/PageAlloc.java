package org.mmlab.mm.internal;

import java.util.BitSet;
import java.util.function.Supplier;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Ratelimit;
import org.mmlab.mm.Mm;
import org.mmlab.mm.OomNotifier;
import org.mmlab.mm.Shrinker;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * Models mm/page_alloc.c: the buddy allocator. Free blocks of 2^order pages sit on per-zone,
 * per-order, per-migratetype lists; freeing merges a block with its buddy while the buddy is
 * free, allocating splits a larger block (expand) and falls back to other migratetypes,
 * claiming whole pageblocks when enough of them is free (steal_suitable_fallback).
 * There are no per-cpu page lists: every allocation takes the zone lock.
 */
public final class PageAlloc {
    // alloc_flags (mm/internal.h)
    static final int ALLOC_WMARK_MIN = 0;
    static final int ALLOC_WMARK_LOW = 1;
    static final int ALLOC_WMARK_HIGH = 2;
    static final int ALLOC_NO_WATERMARKS = 4;
    static final int ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1;
    static final int ALLOC_OOM = 0x08;
    static final int ALLOC_NON_BLOCK = 0x10;
    static final int ALLOC_MIN_RESERVE = 0x20;
    static final int ALLOC_HIGHATOMIC = 0x200;
    static final int ALLOC_NOFRAGMENT = 0x400;
    static final int ALLOC_RESERVES = ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM;
    // fpi_t
    /** FPI_TO_TAIL: put the freed block at the tail of its list (memory init, reporting's putback). */
    public static final int FPI_TO_TAIL = 1 << 1;
    /** FPI_SKIP_REPORT_NOTIFY: don't tell page reporting about this free. */
    public static final int FPI_SKIP_REPORT_NOTIFY = 1 << 0;

    /** fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1]. */
    private static final int[][] FALLBACKS = {
        {MigrateType.RECLAIMABLE.ordinal(), MigrateType.MOVABLE.ordinal()},
        {MigrateType.RECLAIMABLE.ordinal(), MigrateType.UNMOVABLE.ordinal()},
        {MigrateType.UNMOVABLE.ordinal(), MigrateType.MOVABLE.ordinal()},
    };
    private static final int MOVABLE = MigrateType.MOVABLE.ordinal();
    private static final int ISOLATE = MigrateType.ISOLATE.ordinal();
    private static final int HIGHATOMIC = MigrateType.HIGHATOMIC.ordinal();
    /** MAX_RECLAIM_RETRIES. */
    private static final int MAX_RECLAIM_RETRIES = 16;

    final MemMap map;
    final Zone[] zones;
    final PageLists lists;
    final MmDebug debug;
    final VmStat vmstat;
    final Dmesg dmesg;
    private final PageContent content;
    /** nopage_rs: DEFAULT_RATELIMIT_INTERVAL (5 s), DEFAULT_RATELIMIT_BURST (10). */
    private final Ratelimit nopageRatelimit = new Ratelimit();
    private final Ratelimit poisonRatelimit = new Ratelimit();
    /** Pages bad_page() took out of circulation: never freed, still accounted. */
    private final BitSet badPages = new BitSet();
    private final OomNotifiers oomNotifiers = new OomNotifiers();
    private final Shrinkers shrinkers = new Shrinkers();
    /** CONFIG_PAGE_POISONING with page_poison=1 (mm/page_poison.c). */
    private boolean pagePoisoning;
    private volatile OomKiller oomKiller;
    /** The guest's use-after-unload checker, which every call into a shrinker or OOM notifier goes through. */
    private volatile Supplier<ModuleCalls> moduleCalls;
    /** The last-resort direct compaction hook (mm/compaction.c registers itself here). */
    private volatile DirectCompactor directCompactor;

    /** Who out_of_memory() can kill to free memory: the workload's processes. */
    public interface OomKiller {
        /** Kill the biggest task; returns the pages that will come back, or 0 when there is none. */
        long oomKill(int order, int gfp);
    }

    /**
     * mm/compaction.c's part in the slow path: try_to_compact_pages() as __alloc_pages_direct_compact()
     * calls it, that function's accounting after its retry, and the kcompactd wake-up that kswapd
     * does (the simulation has no kswapd).
     */
    public interface DirectCompactor {
        /** enum compact_priority (include/linux/compaction.h): lower is harder. */
        int COMPACT_PRIO_SYNC_FULL = 0;
        int MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL;
        int COMPACT_PRIO_SYNC_LIGHT = 1;
        int MIN_COMPACT_COSTLY_PRIORITY = COMPACT_PRIO_SYNC_LIGHT;
        int DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT;
        int COMPACT_PRIO_ASYNC = 2;
        int INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC;

        /** try_to_compact_pages(): false when it returned COMPACT_SKIPPED (nothing ran, no stall to count). */
        boolean tryToCompactPages(int gfp, int order, int allocFlags, int highestZoneIdx, int prio);

        /** The end of __alloc_pages_direct_compact(): pfn is what the retry got (NO_PAGE if nothing). */
        void directCompactDone(int order, int pfn);

        /** wakeup_kcompactd(), which kswapd calls for a high-order request once it has done its part. */
        void wakeupKcompactd(int order, int highestZoneIdx);
    }

    PageAlloc(MemMap map, Zone[] zones, PageLists lists, MmDebug debug, VmStat vmstat, Dmesg dmesg, PageContent content) {
        this.map = map;
        this.zones = zones;
        this.lists = lists;
        this.debug = debug;
        this.vmstat = vmstat;
        this.dmesg = dmesg;
        this.content = content;
    }

    public Zone zoneOf(int pfn) {
        for (int i = zones.length - 1; i >= 0; i--) {
            if (pfn >= zones[i].startPfn) {
                return zones[i];
            }
        }
        return zones[0];
    }

    void setModuleCalls(Supplier<ModuleCalls> calls) {
        moduleCalls = calls;
    }

    void setOomKiller(OomKiller k) {
        oomKiller = k;
    }

    void setDirectCompactor(DirectCompactor c) {
        directCompactor = c;
    }

    /** page_poison=1 on the command line: set before boot, never changed after. */
    void setPagePoisoning(boolean on) {
        pagePoisoning = on;
    }

    void registerShrinker(String name, Shrinker s) {
        shrinkers.register(name, s);
    }

    void unregisterShrinker(Shrinker s) {
        shrinkers.unregister(s);
    }

    void registerOomNotifier(OomNotifier n) {
        oomNotifiers.register(n);
    }

    void unregisterOomNotifier(OomNotifier n) {
        oomNotifiers.unregister(n);
    }

    synchronized boolean isBadPage(int pfn) {
        return badPages.get(pfn);
    }

    synchronized int badPageCount() {
        return badPages.cardinality();
    }

    // ------------------------------------------------------------------ free lists (zone->lock held)

    /** __add_to_free_list() with set_buddy_order(). */
    private void addToFreeList(int pfn, Zone z, int order, int mt, boolean tail) {
        map.pagePrivate[pfn] = order;
        map.setType(pfn, PageType.BUDDY);
        int head = z.freeList[order][mt];
        if (!(tail ? lists.addTail(pfn, head) : lists.add(pfn, head))) {
            throw new KernelBug("free list corrupt: could not add pfn " + Integer.toHexString(pfn));
        }
        z.nrFree[order]++;
        z.nrFreeByType[order][mt]++;
    }

    /** __del_page_from_free_list(): also clears the reported mark, as allocation does. */
    private void delFromFreeList(int pfn, Zone z, int order, int mt) {
        if (!lists.del(pfn)) {
            throw new KernelBug("free list corrupt: could not delete pfn " + Integer.toHexString(pfn));
        }
        // clear reported state: if (page_reported(page)) __ClearPageReported(page)
        if (map.testFlag(pfn, PageFlags.PG_reported)) {
            map.clearFlag(pfn, PageFlags.PG_reported);
        }
        map.clearType(pfn);
        map.pagePrivate[pfn] = 0;
        z.nrFree[order]--;
        z.nrFreeByType[order][mt]--;
    }

    /** account_freepages(): isolated blocks don't count as free. */
    private static void accountFreepages(Zone z, long nr, int mt) {
        if (mt != ISOLATE) {
            // __mod_zone_page_state(zone, NR_FREE_PAGES, nr): no fence per page (zone->lock is held)
            Zone.FREE_PAGES.setRelease(z, z.freePages + nr);
        }
    }

    /** page_is_buddy(): the buddy is a free block of exactly this order in the same zone. */
    private boolean pageIsBuddy(int buddy, int order, Zone z) {
        return z.contains(buddy) && map.hasType(buddy, PageType.BUDDY) && map.pagePrivate[buddy] == order;
    }

    /** buddy_order(): the order of a free block's head page. */
    int buddyOrder(int pfn) {
        return map.pagePrivate[pfn];
    }

    /** __free_one_page(): merge with free buddies, then put the block on its free list. */
    private void freeOnePage(int pfn, Zone z, int order, int mt, int fpi) {
        accountFreepages(z, 1L << order, mt);
        int buddy = pfn ^ (1 << order);
        while (order < Mm.MAX_PAGE_ORDER) {
            buddy = pfn ^ (1 << order);
            if (!pageIsBuddy(buddy, order, z)) {
                break;
            }
            int buddyMt = mt;
            if (order >= Mm.PAGEBLOCK_ORDER) {
                // don't merge a pageblock that has no fallbacks (isolate, highatomic) with a normal one
                buddyMt = map.pageblockMigratetype(buddy).ordinal();
                if (mt != buddyMt && (!MigrateType.of(mt).isMergeable() || !MigrateType.of(buddyMt).isMergeable())) {
                    break;
                }
            }
            delFromFreeList(buddy, z, order, buddyMt);
            if (buddyMt != mt) {
                // match the buddy's type, so that expand() later puts sub-blocks on the right lists
                map.setPageblockMigratetype(buddy, MigrateType.of(mt));
            }
            pfn &= buddy;
            order++;
        }
        boolean toTail = (fpi & FPI_TO_TAIL) != 0 || buddyMergeLikely(pfn, buddy, order, z);
        addToFreeList(pfn, z, order, mt, toTail);
    }

    /** buddy_merge_likely(): if the next-higher buddy is free, put this block at the tail to let it merge. */
    private boolean buddyMergeLikely(int pfn, int buddy, int order, Zone z) {
        if (order >= Mm.MAX_PAGE_ORDER - 1) {
            return false;
        }
        int higher = buddy & pfn;
        int higherBuddy = higher ^ (1 << (order + 1));
        return pageIsBuddy(higherBuddy, order + 1, z);
    }

    /** expand(): split a 2^high block down to 2^low, freeing the upper halves; returns pages put back. */
    private int expand(Zone z, int pfn, int low, int high, int mt) {
        int size = 1 << high;
        int added = 0;
        while (high > low) {
            high--;
            size >>= 1;
            addToFreeList(pfn + size, z, high, mt, false);
            added += size;
        }
        return added;
    }

    /** page_del_and_expand(). */
    private void pageDelAndExpand(Zone z, int pfn, int low, int high, int mt) {
        delFromFreeList(pfn, z, high, mt);
        int nr = (1 << high) - expand(z, pfn, low, high, mt);
        accountFreepages(z, -nr, mt);
    }

    /** __rmqueue_smallest(): the smallest block of this migratetype that is large enough. */
    private int rmqueueSmallest(Zone z, int order, int mt) {
        for (int current = order; current < Mm.NR_PAGE_ORDERS; current++) {
            if (z.freeAreaEmpty(current, mt)) {
                continue;
            }
            int pfn = lists.first(z.freeList[current][mt]);
            pageDelAndExpand(z, pfn, order, current, mt);
            return pfn;
        }
        return Mm.NO_PAGE;
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
    private int rmqueueFallback(Zone z, int order, int startMt, int allocFlags) {
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
                delFromFreeList(pfn, z, current, blockType);
                accountFreepages(z, -(1L << current), blockType);
                for (int p = pfn; p < pfn + (1 << current); p += Mm.PAGEBLOCK_NR_PAGES) {
                    map.setPageblockMigratetype(p, MigrateType.of(startMt));
                }
                accountFreepages(z, (1L << current) - (1L << order), startMt);
                expand(z, pfn, order, current, startMt);
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
                        return rmqueueSmallest(z, order, startMt);
                    }
                }
            }
        }
        pageDelAndExpand(z, pfn, order, current, blockType);
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
            delFromFreeList(pfn, z, order, oldMt);
            addToFreeList(pfn, z, order, newMt, false);
            accountFreepages(z, -(1L << order), oldMt);
            accountFreepages(z, 1L << order, newMt);
            pfn += 1 << order;
        }
        map.setPageblockMigratetype(start, MigrateType.of(newMt));
    }

    /** rmqueue_buddy() / __rmqueue(): one block from a zone, under its lock. */
    private int rmqueue(Zone z, int order, int mt, int allocFlags) {
        z.lock.lock();
        try {
            int pfn = Mm.NO_PAGE;
            if ((allocFlags & ALLOC_HIGHATOMIC) != 0) {
                pfn = rmqueueSmallest(z, order, HIGHATOMIC);
            }
            if (pfn == Mm.NO_PAGE) {
                pfn = rmqueueSmallest(z, order, mt);
                if (pfn == Mm.NO_PAGE) {
                    pfn = rmqueueFallback(z, order, mt, allocFlags);
                }
                if (pfn == Mm.NO_PAGE && (allocFlags & (ALLOC_OOM | ALLOC_NON_BLOCK)) != 0) {
                    pfn = rmqueueSmallest(z, order, HIGHATOMIC);
                }
            }
            return pfn;
        } finally {
            z.lock.unlock();
        }
    }

    // ------------------------------------------------------------------ watermarks

    /** __zone_watermark_ok(). */
    boolean zoneWatermarkOk(Zone z, int order, long mark, int highestZoneIdx, int allocFlags, long freePages) {
        long min = mark;
        long unusable = (1L << order) - 1;
        if ((allocFlags & ALLOC_RESERVES) == 0) {
            unusable += z.nrReservedHighatomic;
        }
        freePages -= unusable;
        if ((allocFlags & ALLOC_RESERVES) != 0) {
            if ((allocFlags & ALLOC_MIN_RESERVE) != 0) {
                min -= min / 2;
                if ((allocFlags & ALLOC_NON_BLOCK) != 0) {
                    min -= min / 4;
                }
            }
            if ((allocFlags & ALLOC_OOM) != 0) {
                min -= min / 2;
            }
        }
        if (freePages <= min + z.lowmemReserve[highestZoneIdx]) {
            return false;
        }
        if (order == 0) {
            return true;
        }
        for (int o = order; o < Mm.NR_PAGE_ORDERS; o++) {
            if (z.nrFree[o] == 0) {
                continue;
            }
            for (int mt = 0; mt < MigrateType.PCPTYPES; mt++) {
                if (!z.freeAreaEmpty(o, mt)) {
                    return true;
                }
            }
            if ((allocFlags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) != 0 && !z.freeAreaEmpty(o, HIGHATOMIC)) {
                return true;
            }
        }
        return false;
    }

    public boolean zoneWatermarkOk(Zone z, int order, long mark, int highestZoneIdx) {
        return zoneWatermarkOk(z, order, mark, highestZoneIdx, 0, z.freePages);
    }

    // ------------------------------------------------------------------ allocation

    /** gfp_zone(): the highest zone an allocation may use. */
    int gfpZone(int gfp) {
        if ((gfp & (Gfp.__GFP_DMA | Gfp.__GFP_DMA32)) != 0) {
            return 0;
        }
        return zones.length - 1;
    }

    /** alloc_pages(): the first PFN of 2^order free pages, or NO_PAGE. */
    public int allocPages(int gfp, int order) {
        if (order < 0 || order > Mm.MAX_PAGE_ORDER) {
            if ((gfp & Gfp.__GFP_NOWARN) == 0) {
                debug.warn("WARN_ON_ONCE(order > MAX_PAGE_ORDER): order " + order, "mm/page_alloc.c", "__alloc_pages_noprof");
            }
            return Mm.NO_PAGE;
        }
        int highest = gfpZone(gfp);
        int mt = Gfp.migratetype(gfp).ordinal();
        // alloc_flags_nofragment(): with a lower zone to fall back to, avoid mixing pageblocks first
        int allocFlags = ALLOC_WMARK_LOW | (zones[highest].idx > 0 ? ALLOC_NOFRAGMENT : 0);
        int pfn = getPageFromFreelist(gfp, order, allocFlags, highest, mt);
        if (pfn == Mm.NO_PAGE) {
            pfn = allocPagesSlowpath(gfp, order, highest, mt);
        }
        return pfn;
    }

    /** get_page_from_freelist(): walk the zonelist from the highest allowed zone down. */
    private int getPageFromFreelist(int gfp, int order, int allocFlags, int highest, int mt) {
        while (true) {
            for (int zi = highest; zi >= 0; zi--) {
                Zone z = zones[zi];
                if ((allocFlags & ALLOC_NO_WATERMARKS) == 0) {
                    long mark = z.watermark[allocFlags & ALLOC_WMARK_MASK];
                    if (!zoneWatermarkOk(z, order, mark, highest, allocFlags, z.freePages)) {
                        continue;
                    }
                }
                int pfn = rmqueue(z, order, mt, allocFlags);
                if (pfn != Mm.NO_PAGE) {
                    prepNewPage(pfn, order, gfp, z);
                    return pfn;
                }
            }
            if ((allocFlags & ALLOC_NOFRAGMENT) == 0) {
                return Mm.NO_PAGE;
            }
            // it's better to fragment a pageblock than to fail the allocation
            allocFlags &= ~ALLOC_NOFRAGMENT;
        }
    }

    /** __alloc_pages_slowpath(), less reclaim (the simulated guest has no page cache and no swap). */
    private int allocPagesSlowpath(int gfp, int order, int highest, int mt) {
        // gfp_to_alloc_flags()
        int allocFlags = ALLOC_WMARK_MIN;
        if ((gfp & Gfp.__GFP_HIGH) != 0) {
            allocFlags |= ALLOC_MIN_RESERVE;
        }
        if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0) {
            allocFlags |= ALLOC_NON_BLOCK;
            if (order > 0 && (gfp & Gfp.__GFP_HIGH) != 0) {
                allocFlags |= ALLOC_HIGHATOMIC;
            }
        }
        DirectCompactor compactor = directCompactor;
        // wake_all_kswapds(): kswapd would reclaim, then wake kcompactd for the order; here only the latter is left
        if ((gfp & Gfp.__GFP_KSWAPD_RECLAIM) != 0 && order > 0 && compactor != null) {
            compactor.wakeupKcompactd(order, highest);
        }
        int pfn = getPageFromFreelist(gfp, order, allocFlags, highest, mt);
        if (pfn != Mm.NO_PAGE) {
            return pfn;
        }
        // __gfp_pfmemalloc_flags(): __GFP_MEMALLOC may use the reserves, unless __GFP_NOMEMALLOC forbids it
        if ((gfp & Gfp.__GFP_MEMALLOC) != 0 && (gfp & Gfp.__GFP_NOMEMALLOC) == 0) {
            pfn = getPageFromFreelist(gfp, order, ALLOC_NO_WATERMARKS, highest, mt);
            if (pfn != Mm.NO_PAGE) {
                return pfn;
            }
        }
        if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0) {
            return nopage(gfp, order);
        }
        if (compactor != null && order > 0) {
            pfn = allocPagesDirectCompact(compactor, gfp, order, allocFlags, highest, mt);
            if (pfn != Mm.NO_PAGE) {
                return pfn;
            }
        }
        // __alloc_pages_direct_reclaim(): with no page cache and no swap, reclaim is shrink_slab() alone;
        // do_try_to_free_pages() counts the stall against sc->reclaim_idx = gfp_zone(gfp) first
        vmstat.inc(zones[highest].allocstallItem);
        if (shrinkers.shrinkSlab(moduleCalls.get()) > 0) {
            pfn = getPageFromFreelist(gfp, order, allocFlags, highest, mt);
            if (pfn != Mm.NO_PAGE) {
                return pfn;
            }
        }
        if ((gfp & Gfp.__GFP_NORETRY) != 0) {
            return nopage(gfp, order);
        }
        // __alloc_pages_may_oom(): the OOM killer does not help costly orders or RETRY_MAYFAIL callers;
        // without reclaim, MAX_RECLAIM_RETRIES bounds the retries, and __GFP_NOFAIL retries longer
        boolean mayOom = order <= Mm.PAGE_ALLOC_COSTLY_ORDER && (gfp & Gfp.__GFP_RETRY_MAYFAIL) == 0;
        boolean noFail = (gfp & Gfp.__GFP_NOFAIL) != 0;
        for (int attempt = 0; attempt < (noFail ? 1000 : MAX_RECLAIM_RETRIES); attempt++) {
            boolean progress = mayOom && outOfMemory(gfp, order);
            pfn = getPageFromFreelist(gfp, order, allocFlags, highest, mt);
            if (pfn != Mm.NO_PAGE) {
                return pfn;
            }
            if (!progress && !noFail) {
                break;
            }
            Thread.onSpinWait();
        }
        return nopage(gfp, order);
    }

    /**
     * __alloc_pages_direct_compact() at each priority should_compact_retry() escalates through: from
     * INIT_COMPACT_PRIORITY (async) to MIN_COMPACT_PRIORITY, or MIN_COMPACT_COSTLY_PRIORITY for costly
     * orders; a __GFP_NORETRY caller stops after the async attempt. Without reclaim in the simulation,
     * these attempts are all the slow path can do for a high order before the OOM path.
     */
    private int allocPagesDirectCompact(DirectCompactor c, int gfp, int order, int allocFlags, int highest, int mt) {
        int minPriority = order > Mm.PAGE_ALLOC_COSTLY_ORDER ? DirectCompactor.MIN_COMPACT_COSTLY_PRIORITY
                : DirectCompactor.MIN_COMPACT_PRIORITY;
        for (int prio = DirectCompactor.INIT_COMPACT_PRIORITY; prio >= minPriority; prio--) {
            if (c.tryToCompactPages(gfp, order, allocFlags, highest, prio)) {
                int pfn = getPageFromFreelist(gfp, order, allocFlags, highest, mt);
                c.directCompactDone(order, pfn);
                if (pfn != Mm.NO_PAGE) {
                    return pfn;
                }
            }
            if ((gfp & Gfp.__GFP_NORETRY) != 0) {
                break;
            }
        }
        return Mm.NO_PAGE;
    }

    /** out_of_memory(): first the OOM notifiers (balloons deflate), then kill the biggest task. */
    private boolean outOfMemory(int gfp, int order) {
        long freed = oomNotifiers.callChain(moduleCalls.get());
        if (freed > 0) {
            return true;
        }
        OomKiller killer = oomKiller;
        return killer != null && killer.oomKill(order, gfp) > 0;
    }

    /** warn_alloc(): the allocation-failure splat, unless __GFP_NOWARN or rate-limited. */
    private int nopage(int gfp, int order) {
        if ((gfp & Gfp.__GFP_NOWARN) == 0 && nopageRatelimit.allow("warn_alloc", dmesg::printk)) {
            StringBuilder sb = new StringBuilder(String.format(
                    "%s: page allocation failure: order:%d, mode:%#x(%s), nodemask=(null),cpuset=/,mems_allowed=0",
                    MmDebug.comm(), order, gfp, Gfp.format(gfp)));
            sb.append("\n").append(MmDebug.javaTrace()).append("Mem-Info:");
            for (Zone z : zones) {
                sb.append("\n").append(showFreeArea(z));
            }
            dmesg.printk(sb.toString());
        }
        return Mm.NO_PAGE;
    }

    /** One zone's line of show_free_areas(): "Node 0 DMA32: 3*4kB (UM) 1*8kB (M) ... = 1234kB". */
    String showFreeArea(Zone z) {
        StringBuilder sb = new StringBuilder("Node 0 " + z.name + ": ");
        long total = 0;
        for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
            long n = z.nrFree[o];
            total += n << o;
            sb.append(n).append('*').append(4 << o).append("kB ");
            if (n > 0) {
                StringBuilder types = new StringBuilder();
                for (MigrateType t : MigrateType.values()) {
                    if (z.nrFree(o, t) > 0) {
                        types.append(t == MigrateType.HIGHATOMIC ? 'H' : t.kernelName().charAt(0));
                    }
                }
                sb.append('(').append(types).append(") ");
            }
        }
        return sb.append("= ").append(total * 4).append("kB").toString();
    }

    /** prep_new_page() / post_alloc_hook(). */
    private void prepNewPage(int pfn, int order, int gfp, Zone z) {
        map.setRefcount(pfn, 1);
        if (pagePoisoning) {
            kernelUnpoisonPages(pfn, 1 << order);
        }
        vmstat.add(z.pgallocItem, 1L << order);
        if ((gfp & Gfp.__GFP_ZERO) != 0) {
            for (int i = 0; i < 1 << order; i++) {
                content.write(pfn + i, 0);
            }
        }
        if (order > 0 && (gfp & Gfp.__GFP_COMP) != 0) {
            prepCompoundPage(pfn, order);
        }
    }

    /** prep_compound_page(): PG_head on the first page, compound_head in every tail. */
    private void prepCompoundPage(int pfn, int order) {
        map.setFlag(pfn, PageFlags.PG_head);
        for (int i = 1; i < 1 << order; i++) {
            map.next[pfn + i] = MemMap.encodeCompoundHead(pfn);
        }
        map.prev[pfn + 1] = order;
    }

    // ------------------------------------------------------------------ freeing

    /** __free_pages(): drop a reference; free the block when it was the last. */
    public void freePages(int pfn, int order) {
        boolean head = map.testFlag(pfn, PageFlags.PG_head);
        if (putPageTestzero(pfn)) {
            freeFrozenPages(pfn, order, 0);
        } else if (!head) {
            // someone else holds the first page: free the rest, it is nobody's
            while (order-- > 0) {
                freeFrozenPages(pfn + (1 << order), order, 0);
            }
        }
    }

    /** put_page_testzero(): with CONFIG_DEBUG_VM, dropping a reference that isn't there is a BUG. */
    boolean putPageTestzero(int pfn) {
        if (debug.debugVm() && map.refcount(pfn) <= 0) {
            throw debug.vmBugOnPage(pfn, "page_ref_count(page) == 0", "include/linux/mm.h:1101", "v6.18.2");
        }
        return map.refAdd(pfn, -1) == 0;
    }

    /** __free_frozen_pages(): the refcount is zero; check the page and give it to the buddy allocator. */
    void freeFrozenPages(int pfn, int order, int fpi) {
        if (!freePagesPrepare(pfn, order)) {
            return;
        }
        Zone z = zoneOf(pfn);
        z.lock.lock();
        try {
            freeOnePage(pfn, z, order, map.pageblockMigratetype(pfn).ordinal(), fpi);
        } finally {
            z.lock.unlock();
        }
        vmstat.add(VmItem.PGFREE, 1L << order);
    }

    /**
     * free_unref_folios() → free_pcppages_bulk(): order-0 pages whose last reference went and that
     * free_pages_prepare() already checked (GuestMemory.putPageBatched), on a list at head: each is
     * taken off it and merged into the buddy allocator by __free_one_page(), all under one zone->lock
     * hold per run of pages of the same zone; pgfree counted once for them. The list is empty after.
     */
    void freeUnrefPageList(int head) {
        Zone locked = null;
        long nr = 0;
        try {
            while (!lists.isEmpty(head)) {
                int pfn = lists.first(head);
                if (!lists.del(pfn)) {
                    throw new KernelBug("free batch corrupt at pfn " + Integer.toHexString(pfn));
                }
                Zone z = zoneOf(pfn);
                if (z != locked) {
                    if (locked != null) {
                        locked.lock.unlock();
                    }
                    z.lock.lock();
                    locked = z;
                }
                freeOnePage(pfn, z, 0, map.pageblockMigratetype(pfn).ordinal(), 0);
                nr++;
            }
        } finally {
            if (locked != null) {
                locked.lock.unlock();
            }
        }
        if (nr > 0) {
            vmstat.add(VmItem.PGFREE, nr);
        }
    }

    /** free_pages_prepare(): bad-page checks (with CONFIG_DEBUG_VM) and clearing what the owner left. */
    boolean freePagesPrepare(int pfn, int order) {
        boolean compound = map.testFlag(pfn, PageFlags.PG_head);
        int bad = 0;
        if (compound) {
            for (int i = 1; i < 1 << order; i++) {
                if (debug.debugVm() && map.compoundHead(pfn + i) != pfn) {
                    debug.badPage(pfn + i, "corrupted mapping in compound page");
                    markBad(pfn + i);
                    bad++;
                }
                map.next[pfn + i] = pfn + i;
                map.prev[pfn + i] = pfn + i;
            }
            map.clearFlag(pfn, PageFlags.PG_head);
        }
        if ((map.mapping[pfn] & MemMap.PAGE_MAPPING_FLAGS) != 0) {
            map.mapping[pfn] = 0;
        }
        if (map.pageType(pfn) != null) {
            map.clearType(pfn); // page_type overlays _mapcount: reset it
        }
        if (debug.debugVm()) {
            for (int i = 0; i < 1 << order; i++) {
                String reason = freePageBadReason(pfn + i);
                if (reason != null) {
                    debug.badPage(pfn + i, reason);
                    markBad(pfn + i);
                    bad++;
                }
            }
        }
        if (bad > 0) {
            return false;
        }
        for (int i = 0; i < 1 << order; i++) {
            map.flags[pfn + i] = 0;
            map.pagePrivate[pfn + i] = 0;
        }
        if (pagePoisoning) {
            kernelPoisonPages(pfn, 1 << order);
        }
        return true;
    }

    /** kernel_poison_pages() (mm/page_poison.c): fill freed pages with PAGE_POISON. */
    private void kernelPoisonPages(int pfn, int n) {
        for (int i = 0; i < n; i++) {
            content.write(pfn + i, Mm.PAGE_POISON_TAG);
        }
    }

    /**
     * kernel_unpoison_pages(): check_poison_mem() on each page being allocated; a page that lost its
     * poison while free was written by someone who did not own it (or a host discarded it).
     */
    private void kernelUnpoisonPages(int pfn, int n) {
        for (int i = 0; i < n; i++) {
            long found = content.read(pfn + i);
            if (found != Mm.PAGE_POISON_TAG && poisonRatelimit.allow("check_poison_mem", dmesg::printk)) {
                dmesg.printk(String.format("pagealloc: memory corruption%n%016x: %016x (expected %016x)%n%s",
                        (long) (pfn + i) << Mm.PAGE_SHIFT, found, Mm.PAGE_POISON_TAG,
                        debug.dumpPage(pfn + i, "pagealloc: corrupted page details")));
            }
        }
    }

    private synchronized void markBad(int pfn) {
        badPages.set(pfn);
    }

    /** page_bad_reason() for a page about to be freed. */
    private String freePageBadReason(int pfn) {
        if (map.mapcount(pfn) != 0 || map.mapcountOrType[pfn] != MemMap.MAPCOUNT_NONE && map.pageType(pfn) == null) {
            return "nonzero mapcount";
        }
        if (map.mapping[pfn] != 0) {
            return "non-NULL mapping";
        }
        if (map.refcount(pfn) != 0) {
            return "nonzero _refcount";
        }
        if ((map.flagsWord(pfn) & PageFlags.PAGE_FLAGS_CHECK_AT_FREE) != 0) {
            return "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
        }
        return null;
    }

    // ------------------------------------------------------------------ boot and isolation

    /** memblock_free_all() for one zone: free [start, end) in the largest aligned blocks, at the tail. */
    void freeBootRange(int start, int end) {
        int pfn = start;
        while (pfn < end) {
            int order = Math.min(Mm.MAX_PAGE_ORDER, Integer.numberOfTrailingZeros(pfn | (1 << Mm.MAX_PAGE_ORDER)));
            while (pfn + (1 << order) > end) {
                order--;
            }
            Zone z = zoneOf(pfn);
            if (pagePoisoning) {
                kernelPoisonPages(pfn, 1 << order); // __free_pages_core() frees through free_pages_prepare()
            }
            z.lock.lock();
            try {
                z.managedPages += 1 << order;
                freeOnePage(pfn, z, order, map.pageblockMigratetype(pfn).ordinal(), FPI_TO_TAIL | FPI_SKIP_REPORT_NOTIFY);
            } finally {
                z.lock.unlock();
            }
            pfn += 1 << order;
        }
    }

    /**
     * __isolate_free_page(): take a free block off its list for the caller (compaction's free
     * scanner, page reporting), keeping the min watermark. Caller holds zone->lock.
     * Returns the pages taken, or 0.
     */
    int isolateFreePage(int pfn, int order) {
        Zone z = zoneOf(pfn);
        int mt = map.pageblockMigratetype(pfn).ordinal();
        if (mt != ISOLATE) {
            long wmark = z.watermark[Zone.WMARK_MIN] + (1L << order);
            if (!zoneWatermarkOk(z, 0, wmark, 0, 0, z.freePages)) {
                return 0;
            }
        }
        delFromFreeList(pfn, z, order, mt);
        accountFreepages(z, -(1L << order), mt);
        return 1 << order;
    }

    /**
     * __SetPageReported() (mm/page_reporting.c): mark a free block as reported to the host. Only a
     * buddy block's head carries it; allocation and merging clear it. Caller holds zone->lock.
     */
    void setPageReported(int pfn) {
        if (!map.hasType(pfn, PageType.BUDDY)) {
            throw debug.vmBugOnPage(pfn, "!PageBuddy(page)", "mm/page_reporting.c");
        }
        map.setFlag(pfn, PageFlags.PG_reported);
    }

    /** PageReported(): a free block the host already knows is free. */
    boolean pageReported(int pfn) {
        return map.hasType(pfn, PageType.BUDDY) && map.testFlag(pfn, PageFlags.PG_reported);
    }

    // ------------------------------------------------------------------ watermarks at boot

    /** setup_per_zone_wmarks() and setup_per_zone_lowmem_reserve(), with the kernel's default sysctls. */
    void setupWatermarks() {
        long lowmemPages = 0;
        for (Zone z : zones) {
            lowmemPages += z.managedPages;
        }
        // calculate_min_free_kbytes(): sqrt(lowmem_kbytes * 16), clamped to [128, 262144]
        long lowmemKbytes = lowmemPages * (Mm.PAGE_SIZE / 1024);
        long minFreeKbytes = Math.max(128, Math.min(262144, (long) Math.sqrt((double) lowmemKbytes * 16)));
        long pagesMin = minFreeKbytes >> (Mm.PAGE_SHIFT - 10);
        int watermarkScaleFactor = 10;
        for (Zone z : zones) {
            long tmp = pagesMin * z.managedPages / Math.max(1, lowmemPages);
            z.watermark[Zone.WMARK_MIN] = tmp;
            long gap = Math.max(tmp >> 2, z.managedPages * watermarkScaleFactor / 10000);
            z.watermark[Zone.WMARK_LOW] = tmp + gap;
            z.watermark[Zone.WMARK_HIGH] = tmp + 2 * gap;
            z.watermark[Zone.WMARK_PROMO] = tmp + 3 * gap;
        }
        // sysctl_lowmem_reserve_ratio: DMA32 256, Normal 32
        for (int i = 0; i < zones.length; i++) {
            Zone z = zones[i];
            z.lowmemReserve = new long[zones.length];
            long managed = 0;
            for (int j = i + 1; j < zones.length; j++) {
                managed += zones[j].managedPages;
                z.lowmemReserve[j] = managed / (i == 0 && zones.length > 1 ? 256 : 32);
            }
        }
    }

    /** totalreserve_pages: per zone, the largest lowmem reserve plus the high watermark. */
    long totalReservePages() {
        long total = 0;
        for (Zone z : zones) {
            long max = 0;
            for (long r : z.lowmemReserve) {
                max = Math.max(max, r);
            }
            total += Math.min(max + z.watermark[Zone.WMARK_HIGH], z.managedPages);
        }
        return total;
    }
}
