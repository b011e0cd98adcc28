package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.mm.internal.HandBuiltGuest.freeBlock;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Mm;

class ExtfragIndexTest {
    private static final String NORMAL_EXTFRAG =
            "Node 0, zone   Normal -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 ";
    private static final String NORMAL_UNUSABLE =
            "Node 0, zone   Normal 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 ";

    /** Drained DMA32 with four lone pages (300, 302, 304, 306) and two order-2 blocks (400, 408) free. */
    private static GuestMemory scatteredSmallBlocks() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.drainDma32(g);
        for (int pfn = 300; pfn <= 306; pfn += 2) {
            freeBlock(g, pfn, 0);
        }
        freeBlock(g, 400, 2);
        freeBlock(g, 408, 2);
        return g;
    }

    @Test
    void smallScatteredBlocksGiveTheKernelsExtfragIndexPrintedToThreeDecimals() {
        GuestMemory g = scatteredSmallBlocks();

        // 12 free pages in 6 blocks; orders 0-2 fit (-1000); from order 3 on,
        // 1000 - (1000 + 12000 / 2^order) / 6: 584, 709, 771, 803, 818, 826, 830, 832
        assertThat(ExtfragIndex.extfragIndex(g)).isEqualTo(""
                + "Node 0, zone    DMA32 -1.000 -1.000 -1.000  0.584  0.709  0.771  0.803  0.818  0.826  0.830  0.832 \n"
                + NORMAL_EXTFRAG + "\n");
    }

    @Test
    void smallScatteredBlocksGiveTheKernelsUnusableIndexPrintedToThreeDecimals() {
        GuestMemory g = scatteredSmallBlocks();

        // (12 - suitable << order) * 1000 / 12: order 0 all usable, orders 1 and 2 lose the 4 lone pages
        assertThat(ExtfragIndex.unusableIndex(g)).isEqualTo(""
                + "Node 0, zone    DMA32 0.000 0.333 0.333 1.000 1.000 1.000 1.000 1.000 1.000 1.000 1.000 \n"
                + NORMAL_UNUSABLE + "\n");
    }

    @Test
    void thePerZoneFunctionsCompactionCallsGiveTheSameNumbers() {
        GuestMemory g = scatteredSmallBlocks();
        Zone z = HandBuiltGuest.dma32(g);

        assertThat(ExtfragIndex.fragmentationIndex(z, 2)).isEqualTo(-1000);
        assertThat(ExtfragIndex.fragmentationIndex(z, 3)).isEqualTo(584);
        assertThat(ExtfragIndex.fragmentationIndex(z, 10)).isEqualTo(832);
        assertThat(ExtfragIndex.unusableFreeIndex(z, 0)).isZero();
        assertThat(ExtfragIndex.unusableFreeIndex(z, 1)).isEqualTo(333);
        assertThat(ExtfragIndex.unusableFreeIndex(z, 9)).isEqualTo(1000);
        // extfrag_for_order(): percent of free pages in blocks smaller than the order
        assertThat(ExtfragIndex.extfragForOrder(z, 0)).isZero();
        assertThat(ExtfragIndex.extfragForOrder(z, 1)).isEqualTo(33);
        assertThat(ExtfragIndex.extfragForOrder(z, 2)).isEqualTo(33);
        assertThat(ExtfragIndex.extfragForOrder(z, 3)).isEqualTo(100);
    }

    @Test
    void aZoneWithNoFreeMemoryIsAllLackOfMemoryAndAllUnusable() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.drainDma32(g);
        Zone z = HandBuiltGuest.dma32(g);

        assertThat(ExtfragIndex.extfragIndex(g).split("\n")[0]).isEqualTo(
                "Node 0, zone    DMA32  0.000  0.000  0.000  0.000  0.000  0.000  0.000  0.000  0.000  0.000  0.000 ");
        assertThat(ExtfragIndex.unusableIndex(g).split("\n")[0]).isEqualTo(
                "Node 0, zone    DMA32 1.000 1.000 1.000 1.000 1.000 1.000 1.000 1.000 1.000 1.000 1.000 ");
        for (int order = 0; order < Mm.NR_PAGE_ORDERS; order++) {
            assertThat(ExtfragIndex.fragmentationIndex(z, order)).isZero();
            assertThat(ExtfragIndex.unusableFreeIndex(z, order)).isEqualTo(1000);
            assertThat(ExtfragIndex.extfragForOrder(z, order)).isZero();
        }
    }

    @Test
    void aMixedZoneMatchesTheFormulasComputedFromItsHandBuiltFreeCounts() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.drainDma32(g);
        freeBlock(g, 300, 0);
        freeBlock(g, 302, 0);
        freeBlock(g, 304, 0);
        freeBlock(g, 400, 1);
        freeBlock(g, 408, 1);
        freeBlock(g, 2048, 3);
        freeBlock(g, 2064, 4);
        freeBlock(g, 2560, 6);
        freeBlock(g, 3072, 7);
        long[] nrFree = {3, 2, 0, 1, 1, 0, 1, 1, 0, 0, 0};
        Zone z = HandBuiltGuest.dma32(g);

        StringBuilder extfrag = new StringBuilder("Node 0, zone    DMA32 ");
        StringBuilder unusable = new StringBuilder("Node 0, zone    DMA32 ");
        for (int order = 0; order < Mm.NR_PAGE_ORDERS; order++) {
            long freePages = 0;
            long blocks = 0;
            long suitable = 0;
            for (int o = 0; o < nrFree.length; o++) {
                freePages += nrFree[o] << o;
                blocks += nrFree[o];
                if (o >= order) {
                    suitable += nrFree[o] << (o - order);
                }
            }
            int frag = suitable > 0 ? -1000 : (int) (1000 - (1000 + freePages * 1000 / (1L << order)) / blocks);
            int unus = (int) ((freePages - (suitable << order)) * 1000 / freePages);
            int pct = (int) ((freePages - (suitable << order)) * 100 / freePages);
            assertThat(ExtfragIndex.fragmentationIndex(z, order)).as("fragmentation_index order %d", order).isEqualTo(frag);
            assertThat(ExtfragIndex.unusableFreeIndex(z, order)).as("unusable_free_index order %d", order).isEqualTo(unus);
            assertThat(ExtfragIndex.extfragForOrder(z, order)).as("extfrag_for_order order %d", order).isEqualTo(pct);
            extfrag.append(frag == -1000 ? "-1.000" : String.format(" 0.%03d", frag)).append(' ');
            unusable.append(unus == 1000 ? "1.000" : String.format("0.%03d", unus)).append(' ');
        }
        assertThat(ExtfragIndex.extfragIndex(g).split("\n")[0]).isEqualTo(extfrag.toString());
        assertThat(ExtfragIndex.unusableIndex(g).split("\n")[0]).isEqualTo(unusable.toString());
        // orders 8-10 fail with 223 free pages in 9 blocks
        assertThat(ExtfragIndex.fragmentationIndex(z, 8)).isEqualTo(1000 - (1000 + 223 * 1000 / 256) / 9);
    }

    @Test
    void anOrderOutsideTheBuddyAllocatorsRangeIsRefused() {
        Zone z = HandBuiltGuest.normal(HandBuiltGuest.boot());

        assertThatThrownBy(() -> ExtfragIndex.fragmentationIndex(z, Mm.NR_PAGE_ORDERS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("order 11");
        assertThatThrownBy(() -> ExtfragIndex.extfragForOrder(z, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
