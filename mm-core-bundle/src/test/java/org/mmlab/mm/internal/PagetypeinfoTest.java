package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.mm.internal.HandBuiltGuest.freeBlock;
import static org.mmlab.mm.internal.HandBuiltGuest.setPageblock;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.MigrateType;

class PagetypeinfoTest {
    @Test
    void aBootedGuestShowsTheKernelsHeaderAndBothTablesByteForByte() {
        GuestMemory g = HandBuiltGuest.boot();

        assertThat(Pagetypeinfo.show(g)).isEqualTo(""
                + "Page block order: 9\n"
                + "Pages per block:  512\n"
                + "\n"
                + "Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
                + "Node    0, zone    DMA32, type    Unmovable      0      0      0      0      0      0      0      0      0      0      0 \n"
                + "Node    0, zone    DMA32, type      Movable      0      0      0      0      0      0      0      0      1      1      7 \n"
                + "Node    0, zone    DMA32, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n"
                + "Node    0, zone    DMA32, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
                + "Node    0, zone    DMA32, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
                + "Node    0, zone   Normal, type    Unmovable      0      0      0      0      0      0      0      0      0      0      0 \n"
                + "Node    0, zone   Normal, type      Movable      0      0      0      0      0      0      0      0      0      0      8 \n"
                + "Node    0, zone   Normal, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n"
                + "Node    0, zone   Normal, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
                + "Node    0, zone   Normal, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
                + "\n"
                + "Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
                + "Node 0, zone    DMA32            0           16            0            0            0 \n"
                + "Node 0, zone   Normal            0           16            0            0            0 \n");
    }

    @Test
    void freedBlocksLandOnTheListOfTheirPageblocksMigratetypeAndEachPageblockIsCountedOnce() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.drainDma32(g);
        // pageblocks 2, 3, 5, 6 of DMA32 change type while all their pages are allocated
        setPageblock(g, 1024, MigrateType.UNMOVABLE);
        setPageblock(g, 1536, MigrateType.ISOLATE);
        setPageblock(g, 2560, MigrateType.HIGHATOMIC);
        setPageblock(g, 3072, MigrateType.RECLAIMABLE);

        freeBlock(g, 300, 0);     // Movable
        freeBlock(g, 400, 1);     // Movable
        freeBlock(g, 2048, 3);    // Movable
        freeBlock(g, 4096, 9);    // Movable
        freeBlock(g, 6144, 10);   // Movable
        freeBlock(g, 1024, 3);    // Unmovable
        freeBlock(g, 1100, 0);    // Unmovable
        freeBlock(g, 1280, 6);    // Unmovable
        freeBlock(g, 1536, 6);    // Isolate
        freeBlock(g, 2560, 1);    // HighAtomic
        freeBlock(g, 3100, 0);    // Reclaimable

        String[] lines = Pagetypeinfo.show(g).split("\n", -1);
        assertThat(lines[4]).isEqualTo(
                "Node    0, zone    DMA32, type    Unmovable      1      0      0      1      0      0      1      0      0      0      0 ");
        assertThat(lines[5]).isEqualTo(
                "Node    0, zone    DMA32, type      Movable      1      1      0      1      0      0      0      0      0      1      1 ");
        assertThat(lines[6]).isEqualTo(
                "Node    0, zone    DMA32, type  Reclaimable      1      0      0      0      0      0      0      0      0      0      0 ");
        assertThat(lines[7]).isEqualTo(
                "Node    0, zone    DMA32, type   HighAtomic      0      1      0      0      0      0      0      0      0      0      0 ");
        assertThat(lines[8]).isEqualTo(
                "Node    0, zone    DMA32, type      Isolate      0      0      0      0      0      0      1      0      0      0      0 ");
        assertThat(lines[16]).isEqualTo("Node 0, zone    DMA32            1           12            1            1            1 ");
        assertThat(lines[17]).isEqualTo("Node 0, zone   Normal            0           16            0            0            0 ");
        // buddyinfo counts every list, the isolated one too
        assertThat(Buddyinfo.show(g).split("\n")[0]).isEqualTo(
                "Node 0, zone    DMA32      3      2      0      2      0      0      2      0      0      1      1 ");
        // NR_FREE_PAGES leaves the isolated block out (account_freepages)
        assertThat(HandBuiltGuest.dma32(g).freePages()).isEqualTo(1 + 2 + 8 + 512 + 1024 + 8 + 1 + 64 + 2 + 1);
        assertThat(g.debug.reports()).isZero();
    }

    @Test
    void aFreeListOf100000EntriesOrMorePrintsAsTheCapWithAGreaterThanSign() {
        GuestMemory g = HandBuiltGuest.boot();
        Zone z = HandBuiltGuest.normal(g);
        // the counters the view reads, set by hand: no 64 MiB guest has 100000 free blocks of one kind
        z.nrFreeByType[0][MigrateType.MOVABLE.ordinal()] = 99999;
        z.nrFreeByType[1][MigrateType.MOVABLE.ordinal()] = 100000;
        z.nrFreeByType[2][MigrateType.MOVABLE.ordinal()] = 250000;

        assertThat(Pagetypeinfo.show(g).split("\n")[10]).isEqualTo(
                "Node    0, zone   Normal, type      Movable  99999 >100000 >100000      0      0      0      0      0      0      0      8 ");
    }
}
