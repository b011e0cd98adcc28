package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.MemoryMap.PageKind;
import org.mmlab.mm.MemoryMap.Pageblock;
import org.mmlab.mm.MemoryMap.PageblockPages;
import org.mmlab.mm.MemoryMap.Pageblocks;
import org.mmlab.mm.MigrateType;
import org.junit.jupiter.api.Test;

/** The memory map the lab's page draws: every page counted once, as what it is. */
class PageblockMapTest {

    @Test
    void everyPageIsCountedOnceInItsPageblock() {
        GuestMemory g = HandBuiltGuest.boot();
        g.allocPages(Gfp.GFP_KERNEL, 3);
        Pageblocks map = PageblockMap.pageblocks(g);

        assertThat(map.pageblocks()).hasSize(HandBuiltGuest.NR_PAGES / 512);
        assertThat(map.pageblocks().stream().mapToInt(b -> b.pages().stream().mapToInt(Integer::intValue).sum()))
                .containsOnly(512);
        assertThat(map.kinds()).containsExactly(PageKind.values());
    }

    @Test
    void atBootTheFirstPageblockIsHalfReservedHalfFree() {
        Pageblock first = PageblockMap.pageblocks(HandBuiltGuest.boot()).pageblocks().get(0);

        assertThat(first.pfn()).isZero();
        assertThat(first.zone()).isEqualTo("DMA32");
        assertThat(first.migratetype()).isEqualTo(MigrateType.MOVABLE);
        assertThat(count(first, PageKind.RESERVED)).isEqualTo(256);
        assertThat(count(first, PageKind.FREE)).isEqualTo(256);
    }

    @Test
    void theTailsOfAHighOrderAllocationAreTheKernelsLikeItsHead() {
        GuestMemory g = HandBuiltGuest.boot();
        int pfn = g.allocPages(Gfp.GFP_KERNEL, 2);

        PageblockPages block = PageblockMap.pageblock(g, pfn / 512);

        assertThat(block.pages().subList(pfn % 512, pfn % 512 + 4)).containsOnly(PageKind.KERNEL);
        assertThat(PageblockMap.pageblocks(g).pageblocks().get(pfn / 512).pages().get(PageKind.KERNEL.ordinal()))
                .isEqualTo(4);
    }

    @Test
    void theSecondHalfOfAnOrder10FreeBlockIsFreeWhenZoomedInto() {
        // at boot PFN 1024-2047 is one free order-10 block: pageblock 3 is its second half
        PageblockPages block = PageblockMap.pageblock(HandBuiltGuest.boot(), 3);

        assertThat(block.pfn()).isEqualTo(1536);
        assertThat(block.pages()).hasSize(512).containsOnly(PageKind.FREE);
        assertThat(block.owners()).containsOnly("");
    }

    @Test
    void aBalloonPageIsTheBalloonsOfTheHostHoldingItsFrame() {
        GuestMemory g = FakeMovableDrivers.guest("2025");
        int pfn = FakeMovableDrivers.driver2025(g).add();
        g.hostFrames.discard(pfn, new HostFramesTest.Host(false));

        Pageblock block = PageblockMap.pageblocks(g).pageblocks().get(pfn / 512);
        PageblockPages pages = PageblockMap.pageblock(g, pfn / 512);

        assertThat(count(block, PageKind.BALLOON)).isEqualTo(1);
        assertThat(block.balloons()).containsExactly(java.util.Map.entry("test host", 1));
        assertThat(pages.pages().get(pfn % 512)).isEqualTo(PageKind.BALLOON);
        assertThat(pages.owners().get(pfn % 512)).isEqualTo("test host");
        assertThat(Collections.frequency(pages.owners(), "test host")).isEqualTo(1);
    }

    @Test
    void aPageblockTheGuestDoesNotHaveIsRefused() {
        GuestMemory g = HandBuiltGuest.boot();

        assertThatThrownBy(() -> PageblockMap.pageblock(g, 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pageblock 32: the guest has pageblocks 0 to 31");
        assertThatThrownBy(() -> PageblockMap.pageblock(g, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static int count(Pageblock block, PageKind kind) {
        List<Integer> pages = block.pages();
        return pages.get(kind.ordinal());
    }
}
