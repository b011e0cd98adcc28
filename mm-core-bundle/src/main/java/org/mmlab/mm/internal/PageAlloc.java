package org.mmlab.mm.internal;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * Models mm/page_alloc.c: the buddy allocator. Free blocks of 2^order pages sit on per-zone,
 * per-order, per-migratetype lists; freeing merges a block with its buddy while the buddy is
 * free (__free_one_page), allocating splits a larger block (expand). This class keeps the free
 * lists, merging and splitting, rmqueue, the fast path, prep_new_page, freeing, boot, and the
 * hooks of free-page isolation and page reporting; the rest of the file is split at its seams:
 * {@link PageAllocFallback} (other migratetypes' blocks), {@link PageAllocWatermarks},
 * {@link PageAllocSlowpath} (compaction, reclaim, OOM, warn_alloc) and {@link FreePageChecks}
 * (free_pages_prepare, bad_page); page poisoning is mm/page_poison.c's ({@link PagePoison}); the per-cpu
 * pagesets that order-0 and low-order allocations and frees go through are {@link PageAllocPcp}'s.
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
    /** The 2019 aerator's `aerated` argument of __free_one_page() ([PATCH v1 4/6]): put_aeration_page()'s free. */
    static final int FPI_AERATED = 1 << 3;

    static final int MOVABLE = MigrateType.MOVABLE.ordinal();
    private static final int ISOLATE = MigrateType.ISOLATE.ordinal();
    static final int HIGHATOMIC = MigrateType.HIGHATOMIC.ordinal();

    final MemMap map;
    final Zone[] zones;
    final PageLists lists;
    final MmDebug debug;
    final VmStat vmstat;
    final Dmesg dmesg;
    private final PageContent content;
    private final PagePoison poison;
    final FreePageChecks freeChecks;
    private final PageAllocFallback fallback;
    final PageAllocSlowpath slowpath;
    /** The per-cpu pagesets; null when the guest boots without them (MmConfig.nrCpuIds 0): every page goes by zone->lock. */
    final PageAllocPcp pcp;
    /** Free page hinting's hooks in the free path (set by GuestMemory before boot). */
    HintingCore hinting;

    PageAlloc(MemMap map, Zone[] zones, PageLists lists, MmDebug debug, VmStat vmstat, Dmesg dmesg, PageContent content,
            boolean pagePoisoning, int nrCpuIds) {
        this.map = map;
        this.zones = zones;
        this.lists = lists;
        this.debug = debug;
        this.vmstat = vmstat;
        this.dmesg = dmesg;
        this.content = content;
        this.poison = new PagePoison(content, debug, dmesg, pagePoisoning);
        this.freeChecks = new FreePageChecks(map, debug, poison, vmstat);
        this.fallback = new PageAllocFallback(this);
        this.slowpath = new PageAllocSlowpath(this);
        this.pcp = nrCpuIds > 0 ? new PageAllocPcp(this, nrCpuIds) : null;
    }

    public Zone zoneOf(int pfn) {
        for (int i = zones.length - 1; i >= 0; i--) {
            if (pfn >= zones[i].startPfn) {
                return zones[i];
            }
        }
        return zones[0];
    }

    // ------------------------------------------------------------------ free lists (zone->lock held)

    /** __add_to_free_list() with set_buddy_order(); at the tail, v1's add_to_free_area_tail() goes to aerator_get_tail(). */
    void addToFreeList(int pfn, Zone z, int order, int mt, boolean tail) {
        map.pagePrivate[pfn] = order;
        map.setType(pfn, PageType.BUDDY);
        if (!(tail ? lists.addTail(pfn, hinting.aeratorGetTail(z, order, mt)) : lists.add(pfn, z.freeList[order][mt]))) {
            throw new KernelBug("free list corrupt: could not add pfn " + Integer.toHexString(pfn));
        }
        z.nrFree[order]++;
        z.nrFreeByType[order][mt]++;
    }

    /** __del_page_from_free_list(): also clears the reported mark (v5.7) and the aerated one (v1 4/6), as allocation does. */
    void delFromFreeList(int pfn, Zone z, int order, int mt) {
        hinting.clearPageAerated(pfn, z, order, mt);
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
    static void accountFreepages(Zone z, long nr, int mt) {
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

    /** __free_one_page(): merge with free buddies, put the block on its free list, then the hinting hooks. */
    void freeOnePage(int pfn, Zone z, int order, int mt, int fpi) {
        accountFreepages(z, 1L << order, mt);
        int buddy = pfn ^ (1 << order);
        boolean merged = false;
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
            merged = true;
        }
        boolean toTail = (fpi & (FPI_TO_TAIL | FPI_AERATED)) != 0 || buddyMergeLikely(pfn, buddy, order, z);
        addToFreeList(pfn, z, order, mt, toTail);
        hinting.freed(pfn, z, order, mt, fpi, merged);
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
    int expand(Zone z, int pfn, int low, int high, int mt) {
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
    void pageDelAndExpand(Zone z, int pfn, int low, int high, int mt) {
        delFromFreeList(pfn, z, high, mt);
        int nr = (1 << high) - expand(z, pfn, low, high, mt);
        accountFreepages(z, -nr, mt);
    }

    /** __rmqueue_smallest(): the smallest block of this migratetype that is large enough. */
    int rmqueueSmallest(Zone z, int order, int mt) {
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

    /** rmqueue() (v6.18): a pcp order comes from this CPU's pageset first, else rmqueue_buddy(). */
    private int rmqueue(Zone z, int order, int mt, int allocFlags) {
        if (pcp != null && PageAllocPcp.pcpAllowedOrder(order)) {
            int pfn = pcp.rmqueuePcplist(z, order, mt, allocFlags);
            if (pfn != Mm.NO_PAGE) {
                return pfn;
            }
        }
        return rmqueueBuddy(z, order, mt, allocFlags);
    }

    /** rmqueue_buddy(): one block from a zone, under its lock, the highatomic reserve first or last. */
    private int rmqueueBuddy(Zone z, int order, int mt, int allocFlags) {
        z.lock.lock();
        try {
            int pfn = Mm.NO_PAGE;
            if ((allocFlags & ALLOC_HIGHATOMIC) != 0) {
                pfn = rmqueueSmallest(z, order, HIGHATOMIC);
            }
            if (pfn == Mm.NO_PAGE) {
                pfn = rmqueueLocked(z, order, mt, allocFlags);
                if (pfn == Mm.NO_PAGE && (allocFlags & (ALLOC_OOM | ALLOC_NON_BLOCK)) != 0) {
                    pfn = rmqueueSmallest(z, order, HIGHATOMIC);
                }
            }
            return pfn;
        } finally {
            z.lock.unlock();
        }
    }

    /** __rmqueue(): this migratetype's smallest block, else another's (fallback). Caller holds zone->lock. */
    int rmqueueLocked(Zone z, int order, int mt, int allocFlags) {
        int pfn = rmqueueSmallest(z, order, mt);
        return pfn != Mm.NO_PAGE ? pfn : fallback.rmqueueFallback(z, order, mt, allocFlags);
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
            pfn = slowpath.allocPagesSlowpath(gfp, order, highest, mt);
        }
        return pfn;
    }

    /** get_page_from_freelist(): walk the zonelist from the highest allowed zone down. */
    int getPageFromFreelist(int gfp, int order, int allocFlags, int highest, int mt) {
        while (true) {
            for (int zi = highest; zi >= 0; zi--) {
                Zone z = zones[zi];
                // v6.7: note when the zone falls below its high watermark (pcp->high shrinks then)
                boolean ok = false;
                if ((z.flags.get() & PageAllocPcp.ZONE_BELOW_HIGH) == 0) {
                    ok = PageAllocWatermarks.zoneWatermarkOk(z, order, z.watermark[Zone.WMARK_HIGH], highest, allocFlags,
                            z.freePages);
                    if (!ok) {
                        z.flags.getAndUpdate(f -> f | PageAllocPcp.ZONE_BELOW_HIGH);
                    }
                }
                if (!ok && (allocFlags & ALLOC_NO_WATERMARKS) == 0) {
                    long mark = z.watermark[allocFlags & ALLOC_WMARK_MASK];
                    if (!PageAllocWatermarks.zoneWatermarkOk(z, order, mark, highest, allocFlags, z.freePages)) {
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
        poison.kernelUnpoisonPages(pfn, 1 << order);
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

    /**
     * __free_frozen_pages() (v6.18): the refcount is zero; check the page, then a pcp order goes to this
     * CPU's pageset (an isolated pageblock's pages, and a highatomic one's as movable, v5.13), the rest and
     * what finds pcp->lock taken to the buddy allocator.
     */
    void freeFrozenPages(int pfn, int order, int fpi) {
        if (!freeChecks.freePagesPrepare(pfn, order)) {
            return;
        }
        Zone z = zoneOf(pfn);
        int mt = map.pageblockMigratetype(pfn).ordinal();
        if (pcp != null && PageAllocPcp.pcpAllowedOrder(order) && mt != ISOLATE
                && pcp.freeToPcp(z, pfn, mt >= MigrateType.PCPTYPES ? MOVABLE : mt, order)) {
            return;
        }
        freeOnePageZone(pfn, z, order, fpi);
    }

    /** free_one_page(): a checked block straight to the buddy allocator, under zone->lock; pgfree counted. */
    void freeOnePageZone(int pfn, Zone z, int order, int fpi) {
        z.lock.lock();
        try {
            freeOnePage(pfn, z, order, map.pageblockMigratetype(pfn).ordinal(), fpi);
        } finally {
            z.lock.unlock();
        }
        vmstat.add(VmItem.PGFREE, 1L << order);
    }

    /**
     * free_unref_folios(): order-0 pages whose last reference went and that free_pages_prepare() already
     * checked (GuestMemory.putPageBatched), on a list at head, go to this CPU's pageset (PageAllocPcp),
     * or with no pagesets to the buddy allocator under one zone->lock hold per run of pages of the same
     * zone (free_pcppages_bulk()). The list is empty after.
     */
    void freeUnrefPageList(int head) {
        if (pcp != null) {
            pcp.freeUnrefFolios(head);
            return;
        }
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
            poison.kernelPoisonPages(pfn, 1 << order); // __free_pages_core() frees through free_pages_prepare()
            z.lock.lock();
            try {
                Zone.MANAGED_PAGES.getAndAdd(z, 1L << order);
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
            if (!PageAllocWatermarks.zoneWatermarkOk(z, 0, wmark, 0, 0, z.freePages)) {
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
}
