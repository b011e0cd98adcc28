package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.BitSet;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;
import org.mmlab.mm.admin.Fragmentation;

/** The two shares of free memory mm:compact prints, on layouts whose answer is known beforehand. */
class FragmentationSharesTest {
    private static final int PB = Mm.PAGEBLOCK_NR_PAGES;

    @Test
    void aFreshGuestHasEveryFreePageButTheFirstMiBsNeighboursInFree2MiBBlocks() {
        GuestMemory g = HandBuiltGuest.boot();
        Fragmentation s = FragmentationShares.measure(g);
        // DMA32: order 8 at PFN 256 (next to the reserved first MiB), order 9 at 512, seven order 10; Normal: eight order 10
        assertThat(s.freePages()).isEqualTo(HandBuiltGuest.DMA32_MANAGED + HandBuiltGuest.NORMAL_MANAGED);
        assertThat(s.freeInOrder9Blocks()).isEqualTo(s.freePages() - 256);
        assertThat(s.pageblocks()).isEqualTo(32);
        assertThat(s.cleanPageblocks()).as("only pageblock 0 holds the reserved pages").isEqualTo(31);
        assertThat(s.freeInCleanPageblocks()).isEqualTo(s.freePages() - 256);
        assertThat(s.unmovablePages()).isEqualTo(GuestMemory.RESERVED_LOW_PAGES);
        assertThat(s.describe()).isEqualTo("free in order>=9 blocks: 98.4% (15872 of 16128 free pages); best the layout"
                + " allows: 98.4% (31 clean pageblocks of 32)");
    }

    /**
     * DMA32 drained, every page put on the LRU but for the ones each pageblock is built around;
     * Normal as three allocations leave it. Pageblock by pageblock (index: PFN / 512):
     * <pre>
     *  0 reserved first MiB, pfn 300 free (order 0)              dirty   free 1
     *  1 all LRU                                                 clean   free 0
     *  2 pfns 1100 and 1102 free (order 0), 1200-1207 (order 3)  clean   free 10
     *  3 pfn 1600 allocated off the LRU, 1664-1679 free (order 4) dirty  free 16
     *  4 pfn 2100 slab, pfn 2200 free                            dirty   free 1
     *  5 all free: one order-9 block                             clean   free 512 (order 9)
     *  6 pfn 3100 a page table                                   dirty   free 0
     *  7-15 all LRU                                              clean   free 0
     * 16 an unmovable compound page of order 2 at 8192          dirty   free 508
     * 17 free order-9 block (the rest of 16's order-10 block)    clean   free 512 (order 9)
     * 18 a movable compound page of order 2 on the LRU at 9216  clean   free 508
     * 19 free order-9 block                                      clean   free 512 (order 9)
     * 20-21 one non-compound order-10 GFP_KERNEL allocation      dirty   free 0
     * 22-31 five free order-10 blocks                            clean   free 5120 (order 10)
     * </pre>
     */
    @Test
    void sharesOfAHandBuiltLayoutAreWhatItWasBuiltToHold() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.drainDma32(g);
        BitSet keep = new BitSet();
        int[] freed = {300, 1100, 1102, 2200};
        for (int pfn : freed) {
            keep.set(pfn);
        }
        keep.set(1200, 1208);
        keep.set(1664, 1680);
        keep.set(5 * PB, 6 * PB);
        keep.set(1600);
        keep.set(2100);
        keep.set(3100);
        for (int pfn = GuestMemory.RESERVED_LOW_PAGES; pfn < HandBuiltGuest.DMA32_END; pfn++) {
            if (!keep.get(pfn)) {
                HandBuiltGuest.makeAnonLru(g, pfn);
            }
        }
        for (int pfn : freed) {
            g.freePages(pfn, 0);
        }
        HandBuiltGuest.freeBlock(g, 1200, 3);
        HandBuiltGuest.freeBlock(g, 1664, 4);
        HandBuiltGuest.freeBlock(g, 5 * PB, Mm.PAGEBLOCK_ORDER);
        g.map.setType(2100, PageType.SLAB);
        HandBuiltGuest.makePageTable(g, 3100);

        // Normal: fallback claims the first order-10 block for the unmovable compound page ...
        int unmovableCompound = g.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_COMP, 2);
        assertThat(unmovableCompound).isEqualTo(8192);
        // ... the movable one splits the next Movable order-10 block ...
        int movableCompound = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_COMP, 2);
        assertThat(movableCompound).isEqualTo(9216);
        makeAnonFolioLru(g, movableCompound, 2);
        // ... and the order-10 kernel allocation claims the one after
        int highOrder = g.allocPages(Gfp.GFP_KERNEL, Mm.MAX_PAGE_ORDER);
        assertThat(highOrder).isEqualTo(10240);
        assertThat(g.map.compoundHead(highOrder + PB)).as("a tail of a non-compound allocation").isEqualTo(highOrder + PB);
        assertThat(g.map.refcount(highOrder + PB)).isZero();

        Fragmentation s = FragmentationShares.measure(g);
        long dma32Free = 1 + 10 + 16 + 1 + 512;
        long normalFree = 8 * 1024 - 4 - 4 - 1024;
        assertThat(s.freePages()).isEqualTo(dma32Free + normalFree).isEqualTo(7700);
        assertThat(s.freeInOrder9Blocks()).isEqualTo(512 + 512 + 512 + 5 * 1024).isEqualTo(6656);
        assertThat(s.freeInCleanPageblocks()).isEqualTo(10 + 512 + 512 + 508 + 512 + 5 * 1024).isEqualTo(7174);
        assertThat(s.cleanPageblocks()).isEqualTo(32 - 4 - 1 - 2).isEqualTo(25);
        assertThat(s.unmovablePageblocks()).isEqualTo(7);
        assertThat(s.unmovablePages()).isEqualTo(256 + 1 + 1 + 1 + 4 + 1024);
        assertThat(s.order9Share()).isCloseTo(6656.0 / 7700, within(1e-12));
        assertThat(s.bestShare()).isCloseTo(7174.0 / 7700, within(1e-12));
        assertThat(s.ofBest()).isCloseTo(6656.0 / 7174, within(1e-12));
        assertThat(s.describe()).isEqualTo("free in order>=9 blocks: 86.4% (6656 of 7700 free pages); best the layout"
                + " allows: 93.2% (25 clean pageblocks of 32)");
        // the buddy allocator's own count agrees on the free pages
        assertThat(s.freePages()).isEqualTo(g.freePages());
    }

    @Test
    void aGuestWithNoFreePageHasZeroSharesNotNaN() {
        Fragmentation s = new Fragmentation(0, 0, 0, 3, 8, 100);
        assertThat(s.order9Share()).isZero();
        assertThat(s.bestShare()).isZero();
        assertThat(s.ofBest()).isZero();
        assertThat(s.unmovablePageblocks()).isEqualTo(5);
        assertThat(s.describe()).isEqualTo("free in order>=9 blocks: 0.0% (0 of 0 free pages); best the layout allows:"
                + " 0.0% (3 clean pageblocks of 8)");
    }

    /**
     * A fragmented guest, measured twice: by the one pass over the memmap, and here by walking
     * every free list and looking for the only unmovable pages the workload makes (boot-reserved,
     * page tables, slab).
     */
    @Test
    void sharesOfAFragmentedGuestMatchAWalkOfTheFreeListsAndOfTheKernelsPages() {
        GuestMemory g = new GuestMemory(MmConfig.parse("256M", "128M", "tag", true, true));
        Workload w = new Workload(g);
        w.fragment(3, 5);
        int n = g.map.nrPages;
        long[] freeIn = new long[n / PB];
        long free = 0;
        long high = 0;
        for (Zone z : g.zones) {
            for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
                for (int mt = 0; mt < Zone.NR_MIGRATETYPES; mt++) {
                    int head = z.freeList[o][mt];
                    for (int pfn = g.map.next[head]; pfn != head; pfn = g.map.next[pfn]) {
                        free += 1L << o;
                        high += o >= Mm.PAGEBLOCK_ORDER ? 1L << o : 0;
                        for (int p = pfn; p < pfn + (1 << o); p++) {
                            freeIn[p / PB]++;
                        }
                    }
                }
            }
        }
        boolean[] dirty = new boolean[n / PB];
        long unmovable = 0;
        for (int pfn = 0; pfn < n; pfn++) {
            if (g.map.testFlag(pfn, PageFlags.PG_reserved) || g.map.hasType(pfn, PageType.SLAB)
                    || g.map.hasType(pfn, PageType.TABLE)) {
                dirty[pfn / PB] = true;
                unmovable++;
            }
        }
        long clean = 0;
        int cleanBlocks = 0;
        for (int pb = 0; pb < n / PB; pb++) {
            if (!dirty[pb]) {
                cleanBlocks++;
                clean += freeIn[pb];
            }
        }
        assertThat(FragmentationShares.measure(g))
                .isEqualTo(new Fragmentation(free, high, clean, cleanBlocks, n / PB, unmovable));
        assertThat(w.fragmented().shares()).isEqualTo(FragmentationShares.measure(g));
        w.stop();
    }

    /** folio_add_new_anon_rmap() and folio_add_lru() for a large anon folio: it counts all its pages. */
    private static void makeAnonFolioLru(GuestMemory g, int head, int order) {
        g.map.mapping[head] = (1 << 2) | MemMap.PAGE_MAPPING_ANON;
        g.map.mapcountOrType[head] = 0;
        g.map.setFlag(head, PageFlags.PG_swapbacked);
        g.map.setFlag(head, PageFlags.PG_uptodate);
        g.vmstat.add(VmItem.NR_ANON_PAGES, 1L << order);
        g.lruvec.add(head);
    }
}
