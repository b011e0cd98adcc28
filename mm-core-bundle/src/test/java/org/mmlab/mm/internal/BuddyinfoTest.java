package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.mm.internal.HandBuiltGuest.DMA32_MOVABLE;
import static org.mmlab.mm.internal.HandBuiltGuest.freeBlock;

import org.junit.jupiter.api.Test;

class BuddyinfoTest {
    @Test
    void aBootedGuestShowsItsBootFreeBlocksOneLinePerZone() {
        GuestMemory g = HandBuiltGuest.boot();

        assertThat(Buddyinfo.show(g)).isEqualTo(""
                + "Node 0, zone    DMA32      0      0      0      0      0      0      0      0      1      1      7 \n"
                + "Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0      8 \n");
    }

    @Test
    void splittingTheOrder8BlockForAnOrder3AllocationLeavesOneFreeBlockAtEachOrderFrom3To7() {
        GuestMemory g = HandBuiltGuest.boot();

        // the smallest movable block that fits is the order-8 block at PFN 256: expand() keeps
        // [256, 264) and frees its upper halves 384 (order 7), 320 (6), 288 (5), 272 (4), 264 (3)
        int pfn = g.allocPages(DMA32_MOVABLE, 3);

        assertThat(pfn).isEqualTo(256);
        assertThat(dma32Line(g))
                .isEqualTo("Node 0, zone    DMA32      0      0      0      1      1      1      1      1      0      1      7 ");
    }

    @Test
    void freeingTheSplitBlockMergesItBackUpToItsReservedBuddy() {
        GuestMemory g = HandBuiltGuest.boot();
        int small = g.allocPages(DMA32_MOVABLE, 3);
        int big = g.allocPages(DMA32_MOVABLE, 9);
        assertThat(big).isEqualTo(512);

        g.freePages(small, 3);
        g.drainAllPages(); // an order-3 block goes to the per-cpu list first (v5.13)

        // 256 merges with 264, 272, 288, 320, 384 up to order 8; its order-8 buddy is PFN 0, reserved
        assertThat(dma32Line(g))
                .isEqualTo("Node 0, zone    DMA32      0      0      0      0      0      0      0      0      1      0      7 ");
    }

    @Test
    void aDrainedZoneShowsExactlyTheBlocksFreedBackIntoIt() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.drainDma32(g);
        assertThat(dma32Line(g))
                .isEqualTo("Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0      0 ");

        freeBlock(g, 300, 0);
        freeBlock(g, 302, 0);
        freeBlock(g, 400, 1);
        freeBlock(g, 2048, 3);
        freeBlock(g, 2064, 4);
        freeBlock(g, 4096, 9);
        freeBlock(g, 6144, 10);

        long[] expected = {2, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1};
        StringBuilder line = new StringBuilder("Node 0, zone    DMA32");
        for (long n : expected) {
            line.append(String.format("%7d", n));
        }
        assertThat(dma32Line(g)).isEqualTo(line + " ");
        assertThat(HandBuiltGuest.dma32(g).freePages()).isEqualTo(2 + 2 + 8 + 16 + 512 + 1024);
        assertThat(g.debug.reports()).isZero();
    }

    private static String dma32Line(GuestMemory g) {
        return Buddyinfo.show(g).split("\n")[0];
    }
}
