package org.mmlab.hyperv.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/** hv_balloon.c's balloon, unballoon and hot-add paths against the simulated host, in a real mm-core. */
class HvBalloonTest {
    @Test
    void aBalloonRequestTakesSplit2MiBPagesPageOfflineOutOfTotalramAndTheHostHoldsTheirFrames() throws Exception {
        try (HvGuest g = new HvGuest()) {
            HvDevice d = g.device("0", "0");
            long totalram = g.mm.totalramPages();

            assertThat(HvGuest.balloonTo(d, 16384)).isEqualTo(16384);

            assertThat(g.mm.totalramPages()).isEqualTo(totalram - 16384);
            assertThat(d.host().view().held()).isEqualTo(16384);
            int offline = 0;
            for (int pfn = 0; pfn < g.mm.nrPages(); pfn++) {
                if (g.mm.frameHolder(pfn) == d.host()) {
                    assertThat(g.mm.pageType(pfn)).isEqualTo(PageType.OFFLINE);
                    assertThat(g.mm.pageCount(pfn)).as("split: a reference each").isEqualTo(1);
                    offline++;
                }
            }
            assertThat(offline).isEqualTo(16384);
            assertThat(d.host().view().version()).isEqualTo("2.0 (WIN10)");
            g.assertClean();
        }
    }

    @Test
    void anUnballoonRequestGivesTheNamedPagesBackFreedAndNoLongerOffline() throws Exception {
        try (HvGuest g = new HvGuest()) {
            HvDevice d = g.device("0", "0");
            HvGuest.balloonTo(d, 16384);
            long free = g.freePagesDrained();

            assertThat(HvGuest.balloonTo(d, 4096)).isEqualTo(4096);

            assertThat(g.freePagesDrained()).isEqualTo(free + 12288);
            assertThat(d.host().view().held()).isEqualTo(4096);
            assertThat(d.driver().bDevInfo.nrPages()).isEqualTo(4096);
            g.assertClean();
            assertThat(HvGuest.balloonTo(d, 0)).isZero();
            g.assertClean();
        }
    }

    @Test
    void theGuestBalloonsNoFurtherThanItsFloorAndTheHostSaysWhy() throws Exception {
        try (HvGuest g = new HvGuest()) {
            HvDevice d = g.device("0", "0");
            long floor = d.driver().computeBalloonFloor();

            long got = HvGuest.balloonTo(d, g.mm.nrPages());

            assertThat(got).isLessThan(g.mm.nrPages()).isGreaterThan(0);
            assertThat(g.mm.memAvailable()).isGreaterThanOrEqualTo(floor - 512);
            assertThat(d.host().view().why()).contains("of the " + g.mm.nrPages() + " pages asked");
            assertThat(g.mm.guest().dmesg().lines()).anyMatch(l -> l.contains("Balloon request will be partially fulfilled"));
            g.assertClean();
        }
    }

    @Test
    void ballooningUsesNoBalloonCompactionSoMigrationLeavesItsPagesWhereTheyAre() throws Exception {
        try (HvGuest g = new HvGuest()) {
            HvDevice d = g.device("0", "0");
            HvGuest.balloonTo(d, 512);
            int first = -1;
            for (int pfn = 0; pfn < g.mm.nrPages() && first < 0; pfn++) {
                first = g.mm.frameHolder(pfn) == d.host() ? pfn : -1;
            }
            assertThat(g.mm.testPageFlag(first, PageFlags.PG_movable_ops)).isFalse();

            int migrated = g.mm.migrateRange(first, first + 512, MigrateMode.SYNC);

            assertThat(migrated).isZero();
            for (int pfn = first; pfn < first + 512; pfn++) {
                assertThat(g.mm.frameHolder(pfn)).isSameAs(d.host());
            }
            g.assertClean();
        }
    }

    @Test
    void aHotAddOnlinesThePagesTheHostBacksAndKeepsTheRestOfTheBlockFakeOffline() throws Exception {
        try (HvGuest g = new HvGuest()) {
            HvDevice d = g.device("0", "16384");
            HotAddSpace space = d.driver().space();
            long totalram = g.mm.totalramPages();
            int[] pfns = space.pfns();
            assertThat(pfns).hasSize(16384);
            assertThat(java.util.Arrays.stream(pfns)).allMatch(pfn -> g.mm.pageType(pfn) == PageType.OFFLINE);

            d.host().hotAdd(10_000);
            assertThat(space.awaitOnlined(10_000, 10_000)).isEqualTo(10_000);

            assertThat(g.mm.totalramPages()).isEqualTo(totalram + 10_000);
            assertThat(space.fakeOffline()).isEqualTo(6384);
            assertThat(g.mm.pageType(pfns[9_999])).isNotEqualTo(PageType.OFFLINE);
            assertThat(g.mm.pageType(pfns[10_000])).isEqualTo(PageType.OFFLINE);
            assertThat(g.mm.frameHolder(pfns[10_000])).isSameAs(d.host());
            g.assertClean();

            d.host().hotAdd(6384);
            assertThat(space.awaitOnlined(16384, 10_000)).isEqualTo(16384);
            assertThat(space.fakeOffline()).isZero();
            assertThatThrownBy(() -> d.host().hotAdd(1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("has 0 of its 16384 pages left");
            g.assertClean();
        }
    }

    @Test
    void aHotAddOfNothingOrIntoNoSpaceIsRefusedWithWhatIsAllowed() throws Exception {
        try (HvGuest g = new HvGuest()) {
            HvDevice none = g.device("0", "0");
            HvDevice some = g.device("1", "1024");

            assertThatThrownBy(() -> none.host().hotAdd(1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("device 0 has no hot-add space: give its configuration hotAddSpace=SIZE");
            assertThatThrownBy(() -> some.host().hotAdd(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a hot-add of 0 pages: a hot-add is 1 page or more");
            assertThat(some.driver().space().onlined()).isZero();
            g.assertClean();
        }
    }

    @Test
    void removingTheDriverGivesNothingBackAsTheKernelDoes() throws Exception {
        try (HvGuest g = new HvGuest()) {
            HvDevice d = g.device("0", "0");
            HvGuest.balloonTo(d, 1024);

            d.deactivate();

            assertThat(g.mm.guest().dmesg().lines()).anyMatch(l -> l.contains("hv_balloon: Ballooned pages: 1024"));
            assertThat(g.balloons.devices()).anyMatch(b -> b.name().equals("hv-balloon 0") && b.nrPages() == 1024);
            assertThat(d.host().view().held()).isEqualTo(1024);
        }
    }
}
