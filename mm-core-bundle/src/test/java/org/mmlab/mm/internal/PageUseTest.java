package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.testing.TestDriver.Balloon2012;
import org.mmlab.mm.testing.TestDriver.MovableOps2025;

/** What a page is used for and by whom, as mm:free names it when it refuses the page. */
class PageUseTest {
    @Test
    void aBalloonPageNamesItsTypeTheBundleThatMigratesItAndTheHostHoldingItsFrame() {
        GuestMemory g = FakeMovableDrivers.guest("2025");
        MovableOps2025<MovablePages2025Impl> driver = FakeMovableDrivers.driver2025(g);
        int pfn = driver.add();
        g.hostFrames.discard(pfn, new HostFramesTest.Host(false));

        assertThat(PageUse.describe(g, pfn)).isEqualTo("a balloon page (PageOffline; movable, registered by"
                + " fake.driver2025; its frame is held by test host)");
    }

    @Test
    void a2012BalloonPageIsNamedByItsMappingsOwner() {
        GuestMemory g = FakeMovableDrivers.guest("2012");
        Balloon2012<MovablePages2012Impl> balloon = FakeMovableDrivers.balloon2012(g);
        int pfn = balloon.add();

        assertThat(PageUse.describe(g, pfn)).isEqualTo("a balloon or movable page (movable, registered by"
                + " fake.balloon2012)");
    }

    @Test
    void tailsOfCompoundAndOfPlainHighOrderAllocationsNameTheirHead() {
        GuestMemory g = HandBuiltGuest.boot();
        int comp = g.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_COMP, 2);
        int plain = g.allocPages(Gfp.GFP_KERNEL, 2);

        assertThat(PageUse.describe(g, comp + 1)).isEqualTo(String.format("page 1 of the order-2 compound page at pfn"
                + " %#x, which is allocated by the kernel or a driver (refcount 1)", comp));
        assertThat(PageUse.describe(g, plain + 3)).isEqualTo(String.format("page 3 of the order-2 allocation at pfn"
                + " %#x, which is allocated by the kernel or a driver (refcount 1)", plain));
    }

    @Test
    void freeAndReservedPagesSaySo() {
        GuestMemory g = HandBuiltGuest.boot();

        assertThat(PageUse.describe(g, 0)).startsWith("reserved at boot");
        // at boot PFN 1024-2047 is one free order-10 block
        assertThat(PageUse.describe(g, 1500)).isEqualTo("free (in the free order-10 block at pfn 0x400)");
    }
}
