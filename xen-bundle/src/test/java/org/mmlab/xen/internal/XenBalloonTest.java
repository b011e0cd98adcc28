package org.mmlab.xen.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.NodeStat;
import org.mmlab.mm.PageType;

/** drivers/xen/balloon.c's thread, reservations and backend pages against the simulated hypervisor, in a real mm-core. */
class XenBalloonTest {
    @Test
    void aNewTargetBalloonsPageOfflinePagesOutOfTotalramAndTheHypervisorHoldsTheirFrames() throws Exception {
        try (XenGuest g = new XenGuest()) {
            XenDevice d = g.device("0", "0");
            long totalram = g.mm.totalramPages();

            XenBalloon.Stats s = g.balloonTo(d, 5000);

            assertThat(s.size()).isEqualTo(5000);
            assertThat(s.balloonLow()).isEqualTo(5000);
            assertThat(s.state()).isEqualTo(XenBalloon.BpState.BP_DONE);
            assertThat(d.driver().xenstoreTarget()).isEqualTo(Long.toString((totalram - 5000) * 4));
            assertThat(g.mm.totalramPages()).isEqualTo(totalram - 5000);
            assertThat(g.mm.nodePageState(NodeStat.NR_BALLOON_PAGES)).isEqualTo(5000);
            assertThat(d.driver().hypervisor().view().held()).isEqualTo(5000);
            assertThat(Arrays.stream(d.driver().balloonedPfns())).allMatch(pfn -> g.mm.pageType(pfn) == PageType.OFFLINE
                    && g.mm.frameHolder(pfn) == d.driver().hypervisor());
            g.assertClean();
        }
    }

    @Test
    void aLowerTargetPopulatesTheListsFirstPagesAndFreesThem() throws Exception {
        try (XenGuest g = new XenGuest()) {
            XenDevice d = g.device("0", "0");
            g.balloonTo(d, 5000);
            int[] before = d.driver().balloonedPfns();
            long free = g.freePagesDrained();

            g.balloonTo(d, 1000);

            assertThat(g.freePagesDrained()).isEqualTo(free + 4000);
            assertThat(d.driver().balloonedPfns()).containsExactly(Arrays.copyOfRange(before, 4000, 5000));
            assertThat(g.mm.pageType(before[0])).isNotEqualTo(PageType.OFFLINE);
            assertThat(d.driver().hypervisor().view().held()).isEqualTo(1000);
            g.assertClean();
            assertThat(g.balloonTo(d, 0).size()).isZero();
            assertThat(g.mm.nodePageState(NodeStat.NR_BALLOON_PAGES)).isZero();
            g.assertClean();
        }
    }

    @Test
    void aTargetBeyondMemAvailableBacksOffAndGivesUpWithEveryPageAccountedFor() throws Exception {
        try (XenGuest g = new XenGuest()) {
            XenDevice d = g.device("0", "0");

            XenBalloon.Stats s = g.balloonTo(d, g.mm.totalramPages());

            assertThat(s.state()).isEqualTo(XenBalloon.BpState.BP_ECANCELED);
            assertThat(s.size()).isPositive().isLessThan(s.totalPages());
            assertThat(s.scheduleDelay()).isEqualTo(1);
            g.assertClean();
            assertThat(g.balloonTo(d, 0).size()).as("a new target wakes the thread that gave up").isZero();
            g.assertClean();
        }
    }

    @Test
    void aBackendTakesBalloonedPagesBalloonsMoreWhenShortAndGivesThemBack() throws Exception {
        try (XenGuest g = new XenGuest()) {
            XenDevice d = g.device("0", "0");
            g.balloonTo(d, 100);
            // the thread asleep, as the kernel's is between targets, and no watch event pending (XenGuest): a
            // backend's call wakes it not, so it does not see the credit the call makes (a pass would set
            // target_pages to cover it: rule viii, and the balloon would go to 0, not back to 100)
            assertThat(d.driver().awaitSleeping(10_000)).isTrue();

            int[] pages = d.driver().allocBallooned(300);

            XenBalloon.Stats s = d.driver().stats();
            assertThat(s.lent()).isEqualTo(300);
            assertThat(s.balloonLow()).isZero();
            assertThat(s.size()).as("200 more ballooned with GFP_USER").isEqualTo(300);
            assertThat(Arrays.stream(pages)).allMatch(pfn -> g.mm.pageType(pfn) != PageType.OFFLINE
                    && g.mm.frameHolder(pfn) == d.driver().hypervisor());
            g.assertClean();

            d.driver().freeLent(300);

            assertThat(XenGuest.awaitSettled(d, 100).balloonLow()).as("the thread deballooned what the target had not"
                    + " asked for").isEqualTo(100);
            assertThat(d.driver().stats().lent()).isZero();
            g.assertClean();
            assertThatThrownBy(() -> d.driver().freeLent(1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the backends hold no pages: take some with xen:alloc first");
        }
    }

    @Test
    void aBackendAskingForMoreThanMemAvailableGetsEnomemAndNothingChanges() throws Exception {
        try (XenGuest g = new XenGuest()) {
            XenDevice d = g.device("0", "0");
            long held = d.driver().hypervisor().view().held();

            assertThatThrownBy(() -> d.driver().allocBallooned((int) g.mm.totalramPages()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("-ENOMEM");

            XenBalloon.Stats s = d.driver().stats();
            assertThat(s.lent()).isZero();
            assertThat(s.targetUnpopulated()).isZero();
            assertThat(d.driver().hypervisor().view().held()).isEqualTo(held);
            g.assertClean();
        }
    }

    @Test
    void theBalloonUsesNoBalloonCompactionSoMigrationLeavesItsPagesWhereTheyAre() throws Exception {
        try (XenGuest g = new XenGuest()) {
            XenDevice d = g.device("0", "0");
            g.balloonTo(d, 512);
            int[] pfns = d.driver().balloonedPfns();
            int lo = Arrays.stream(pfns).min().orElseThrow();
            int hi = Arrays.stream(pfns).max().orElseThrow();

            g.mm.migrateRange(lo, hi + 1, MigrateMode.SYNC);

            assertThat(Arrays.stream(pfns)).allMatch(pfn -> g.mm.frameHolder(pfn) == d.driver().hypervisor());
            assertThat(d.driver().balloonedPfns()).containsExactly(pfns);
            g.assertClean();
        }
    }

    @Test
    void aGuestWriteToABalloonedFrameIsDataLossThatTheCheckReports() throws Exception {
        try (XenGuest g = new XenGuest()) {
            XenDevice d = g.device("0", "0");
            g.balloonTo(d, 16);
            int pfn = d.driver().balloonedPfns()[0];

            g.mm.writePage(pfn, 0x1234);

            assertThat(d.driver().hypervisor().view().dataLoss()).isEqualTo(1);
            assertThat(g.check().ok()).isFalse();
            assertThat(g.check().problems()).anyMatch(p -> p.contains("guest access to a host-held frame"));
            assertThat(XenGuest.problems(d)).containsExactly(
                    "1 guest accesses to frames the hypervisor held (data loss; see dmesg)");
        }
    }

    @Test
    void aBadConfigurationIsRefusedWithWhatIsAllowed() {
        assertThatThrownBy(() -> DeviceConfig.parse("a b", null, "0")).hasMessage(
                "name=a b: a device name is 1 to 32 letters, digits, '_' or '-'");
        assertThatThrownBy(() -> DeviceConfig.parse("0", null, "lots")).hasMessageStartingWith("balloonTarget=lots: ");
        try (XenGuest g = new XenGuest()) {
            assertThatThrownBy(() -> g.device("0", "1T")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at most the guest's");
            assertThat(g.registry.all()).isEmpty();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
