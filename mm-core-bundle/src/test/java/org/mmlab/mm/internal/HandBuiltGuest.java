package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * A 64 MiB guest (DMA32 = PFN 0-8191, Normal = 8192-16383; PFN 0-255 reserved) whose free lists
 * the views' tests build by hand: drain a zone page by page, then free chosen aligned ranges so
 * that exactly the blocks the test names are free, and nothing merges with anything else.
 *
 * <p>At boot DMA32 holds one order-8 block (PFN 256), one order-9 block (512) and seven order-10
 * blocks (1024-8191); Normal holds eight order-10 blocks (8192-16383). Every pageblock is Movable.
 */
final class HandBuiltGuest {
    static final int NR_PAGES = 16384;
    static final int DMA32_END = 8192;
    static final int DMA32_MANAGED = DMA32_END - GuestMemory.RESERVED_LOW_PAGES;
    static final int NORMAL_MANAGED = NR_PAGES - DMA32_END;
    /** Movable pages from ZONE_DMA32 only, past every watermark, failing quietly when none is left. */
    static final int DMA32_MOVABLE_ANY = Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_DMA32 | Gfp.__GFP_MEMALLOC
            | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN;
    static final int DMA32_MOVABLE = Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_DMA32 | Gfp.__GFP_NOWARN;

    private HandBuiltGuest() {
    }

    static GuestMemory boot() {
        return new GuestMemory(MmConfig.parse("64M", "32M", "tag", true, true));
    }

    static Zone dma32(GuestMemory g) {
        return g.zones[0];
    }

    static Zone normal(GuestMemory g) {
        return g.zones[1];
    }

    /** Allocates every free page of ZONE_DMA32 as an order-0 page: afterwards its free lists are empty. */
    static void drainDma32(GuestMemory g) {
        int n = 0;
        while (g.allocPages(DMA32_MOVABLE_ANY, 0) != Mm.NO_PAGE) {
            n++;
        }
        assertThat(n).isEqualTo(DMA32_MANAGED);
        for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
            assertThat(dma32(g).nrFree(o)).isZero();
        }
    }

    /**
     * Frees the order-0 pages [start, start + 2^order), then drains the per-cpu lists: with its buddy still
     * allocated, one free block of that order.
     */
    static void freeBlock(GuestMemory g, int start, int order) {
        assertThat(start & ((1 << order) - 1)).as("block at %d aligned to order %d", start, order).isZero();
        for (int pfn = start; pfn < start + (1 << order); pfn++) {
            g.freePages(pfn, 0);
        }
        g.drainAllPages(); // the pages went to the per-cpu list: drain_all_pages() merges them in the buddy allocator
    }

    /** Marks the pageblock containing pfn as mt (its pages are allocated, so no free list has to move). */
    static void setPageblock(GuestMemory g, int pfn, MigrateType mt) {
        g.map.setPageblockMigratetype(pfn, mt);
    }

    /** An anon page as a fault leaves it: mapped once, anon mapping, swap-backed, uptodate, on the LRU. */
    static void makeAnonLru(GuestMemory g, int pfn) {
        makeAnon(g, pfn, 1);
        g.lruvec.add(pfn);
    }

    /**
     * An anon THP (a compound page of order 9) mapped by a PMD, not on the LRU (as while compaction
     * has it isolated): Lruvec counts one page per folio, so a THP on it would skew the LRU counters.
     */
    static void makeAnonThp(GuestMemory g, int head) {
        assertThat(g.map.compoundOrder(head)).isEqualTo(Mm.PAGEBLOCK_ORDER);
        makeAnon(g, head, 1 << Mm.PAGEBLOCK_ORDER);
        g.vmstat.nrAnonThps.addAndGet(1 << Mm.PAGEBLOCK_ORDER); // folio_add_new_anon_rmap() at RMAP_LEVEL_PMD
    }

    private static void makeAnon(GuestMemory g, int pfn, int nrPages) {
        g.map.mapping[pfn] = (1 << 2) | MemMap.PAGE_MAPPING_ANON;
        g.map.mapcountOrType[pfn] = 0;
        g.map.setFlag(pfn, PageFlags.PG_swapbacked);
        g.map.setFlag(pfn, PageFlags.PG_uptodate);
        g.vmstat.add(VmItem.NR_ANON_PAGES, nrPages);
    }

    /** mlock_folio() of an order-0 page: PG_mlocked set, and NR_MLOCK up by one page. */
    static void mlock(GuestMemory g, int pfn) {
        assertThat(g.map.testAndSetFlag(pfn, PageFlags.PG_mlocked)).isFalse();
        g.vmstat.nrMlock.incrementAndGet();
    }

    /** A page table page: __SetPageTable() and NR_PAGETABLE. */
    static void makePageTable(GuestMemory g, int pfn) {
        g.map.setType(pfn, PageType.TABLE);
        g.vmstat.add(VmItem.NR_PAGETABLE, 1);
    }

    /** A page given to a balloon: __SetPageOffline(), and NR_BALLOON_PAGES as balloon_page_enqueue() counts it. */
    static void makeOffline(GuestMemory g, int pfn) {
        g.map.setType(pfn, PageType.OFFLINE);
        g.vmstat.inc(VmItem.NR_BALLOON_PAGES);
    }

    /** What {@link #populate} allocated, all from ZONE_Normal. */
    static final class Populated {
        int pageTable;
        final int[] offline = new int[4];
        final int[] anon = new int[10];
        int thp;

        /** Pages taken from the allocator. */
        int allocatedPages() {
            return 1 + offline.length + anon.length + (1 << Mm.PAGEBLOCK_ORDER);
        }
    }

    /**
     * A guest with a little of everything the views show: one page table page, four ballooned
     * (PageOffline) pages, ten anon pages on the LRU and one anon THP; the rest is free.
     */
    static Populated populate(GuestMemory g) {
        Populated p = new Populated();
        p.pageTable = alloc(g, Gfp.GFP_KERNEL, 0);
        makePageTable(g, p.pageTable);
        for (int i = 0; i < p.offline.length; i++) {
            p.offline[i] = alloc(g, Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOMEMALLOC | Gfp.__GFP_NORETRY, 0);
            makeOffline(g, p.offline[i]);
        }
        for (int i = 0; i < p.anon.length; i++) {
            p.anon[i] = alloc(g, Gfp.GFP_HIGHUSER_MOVABLE, 0);
            makeAnonLru(g, p.anon[i]);
        }
        p.thp = alloc(g, Gfp.GFP_TRANSHUGE, Mm.PAGEBLOCK_ORDER);
        makeAnonThp(g, p.thp);
        assertThat(g.debug.reports()).isZero();
        return p;
    }

    private static int alloc(GuestMemory g, int gfp, int order) {
        int pfn = g.allocPages(gfp | Gfp.__GFP_NOWARN, order);
        assertThat(pfn).isNotEqualTo(Mm.NO_PAGE);
        assertThat(pfn).as("allocated from ZONE_Normal").isGreaterThanOrEqualTo(DMA32_END);
        return pfn;
    }
}
