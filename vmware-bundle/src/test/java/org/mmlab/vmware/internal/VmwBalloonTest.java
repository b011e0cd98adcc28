package org.mmlab.vmware.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.NodeStat;
import org.mmlab.mm.PageType;
import org.mmlab.mm.VmEvent;

/** The driver against its hypervisor: inflation by page size, refusals and splits, deflation, reset, exit. */
class VmwBalloonTest {
    private final TestGuest g = new TestGuest();

    @AfterEach
    void close() {
        g.close();
    }

    @Test
    void theFirstWorkResetsTheProtocolAndNegotiatesEveryCapability() {
        VmwDevice d = g.device("0");

        assertThat(d.driver().capabilities).isEqualTo(Protocol.VMW_BALLOON_CAPABILITIES);
        assertThat(d.driver().maxPageSize).isEqualTo(PageSize.VMW_BALLOON_2M_PAGE);
        assertThat(d.driver().batchMaxPages).isEqualTo(512);
        assertThat(d.hypervisor().view().doorbellSet()).isTrue();
        assertThat(d.hypervisor().view().guestType()).isEqualTo(1);
        g.assertClean();
    }

    /** 2 MiB pages first; the last one overshoots the target and is refused 16 times; then 4 KiB pages from the splits. */
    @Test
    void inflationUses2MPagesAndAfterSixteenRefusalsSplitsThemInto4kPages() {
        VmwDevice d = g.device("0");
        d.driver().vmmemctl(); // the statistics count from here
        long free = g.freePagesDrained();

        TestGuest.inflateTo(d, 1088);

        assertThat(d.state().pages2m()).isEqualTo(2);
        assertThat(d.state().pages4k()).isEqualTo(64);
        assertThat(d.hypervisor().view().held()).isEqualTo(1088);
        VmwStats s = d.driver().stats;
        assertThat(s.page(VmwStats.Page.REFUSED_ALLOC, PageSize.VMW_BALLOON_2M_PAGE)).isEqualTo(16);
        assertThat(s.page(VmwStats.Page.ALLOC, PageSize.VMW_BALLOON_2M_PAGE)).isEqualTo(18);
        assertThat(s.page(VmwStats.Page.ALLOC, PageSize.VMW_BALLOON_4K_PAGE)).as("all from the splits").isZero();
        assertThat(g.freePagesDrained()).as("the rest of the splits freed").isEqualTo(free - 1088);
        assertThat(g.mm.vmEvents(VmEvent.BALLOON_INFLATE)).isEqualTo(1088);
        assertThat(g.mm.nodePageState(NodeStat.NR_BALLOON_PAGES)).as("v6.18.2 counts only 4k pages").isEqualTo(64);
        g.assertClean();
    }

    @Test
    void a2MPageIsPageOfflineFrameByFrameAndHeldByTheHypervisor() {
        VmwDevice d = g.device("0");
        TestGuest.inflateTo(d, 512);

        int head = d.driver().pages.hugePageList().get(0);
        for (int f = 0; f < 512; f++) {
            assertThat(g.mm.pageType(head + f)).isEqualTo(PageType.OFFLINE);
            assertThat(g.mm.frameHolder(head + f)).isSameAs(d.hypervisor());
        }
        g.assertClean();
    }

    @Test
    void withBasicCommandsOnlyEveryPageIsOneLockCommand() {
        VmwDevice d = g.device("0", "BASIC_CMDS,SIGNALLED_WAKEUP_CMD", "normal", false, "enoent");
        d.driver().vmmemctl();

        TestGuest.inflateTo(d, 300);

        assertThat(d.driver().batching).isFalse();
        assertThat(d.driver().stats.op(Protocol.VMW_BALLOON_CMD_LOCK, false)).isEqualTo(300);
        assertThat(d.state().pages4k()).isEqualTo(300);
        g.assertClean();
    }

    @Test
    void twoMPagesNeedBatchingToo() {
        VmwDevice d = g.device("0", "BASIC_CMDS,BATCHED_2M_CMDS,SIGNALLED_WAKEUP_CMD", "normal", false, "enoent");

        assertThat(d.driver().maxPageSize).isEqualTo(PageSize.VMW_BALLOON_4K_PAGE);
        TestGuest.inflateTo(d, 600);
        assertThat(d.state().pages2m()).isZero();
    }

    @Test
    void deflationKeepsA2MSlackUnlessItEmptiesTheBalloon() {
        VmwDevice d = g.device("0");
        TestGuest.inflateTo(d, 1024);

        TestGuest.inflateTo(d, 1000);
        assertThat(d.driver().size()).as("within the slack").isEqualTo(1024);

        TestGuest.inflateTo(d, 0);
        assertThat(d.driver().size()).isZero();
        assertThat(d.hypervisor().view().held()).isZero();
        g.assertClean();
    }

    @Test
    void deflationTakes4kPagesFirstThen2MPages() {
        VmwDevice d = g.device("0");
        TestGuest.inflateTo(d, 1088);

        d.hypervisor().setTarget(512);
        TestGuest.await("deflated", () -> d.driver().reached(512));

        assertThat(d.state().pages4k()).isZero();
        assertThat(d.state().pages2m()).isEqualTo(1);
        g.assertClean();
    }

    @Test
    void aHypervisorThatRefusesToUnlockKeepsThePagesInTheBalloon() {
        VmwDevice d = g.device("0", DeviceConfig.ALL_CAPABILITIES.replace("BATCHED_2M_CMDS,", ""), "normal", false,
                "enoent");
        TestGuest.inflateTo(d, 256);
        d.hypervisor().setBehaviour(HostBehaviour.parse("busy"));

        d.driver().vmmemctl();
        d.hypervisor().setTarget(0);
        TestGuest.await("a refused unlock", () -> d.driver().stats.op(Protocol.VMW_BALLOON_CMD_BATCHED_UNLOCK, true) > 0
                && d.driver().idle());

        assertThat(d.driver().size()).isEqualTo(256);
        assertThat(d.driver().whyNotAt(0)).contains("the hypervisor answers BUSY");
        g.assertClean();

        d.hypervisor().setBehaviour(HostBehaviour.NORMAL);
        TestGuest.inflateTo(d, 0);
        g.assertClean();
    }

    @Test
    void aHypervisorResetPopsTheBalloonWithoutUnlockAndStartsAgainLeakingTheBatchPage() {
        VmwDevice d = g.device("0");
        TestGuest.inflateTo(d, 1024);
        long free = g.freePagesDrained();
        d.driver().vmmemctl();

        assertThat(d.hypervisor().demandReset()).isEqualTo(1024);
        TestGuest.await("reset and inflated again", () -> d.driver().stats.general(VmwStats.General.RESET) == 1
                && d.driver().reached(1024));

        assertThat(d.driver().stats.op(Protocol.VMW_BALLOON_CMD_BATCHED_2M_UNLOCK, false)).as("the pop tells nobody")
                .isZero();
        assertThat(d.driver().batchPagesAllocated.get()).isEqualTo(2);
        assertThat(g.freePagesDrained()).as("vmballoon_init_batching() never frees the old page").isEqualTo(free - 1);
        g.assertClean();
    }

    @Test
    void theShrinkerDeflatesUnderMemoryPressureAndHoldsInflationBack() {
        VmwDevice d = g.device("0", DeviceConfig.ALL_CAPABILITIES.replace("BATCHED_2M_CMDS,", ""), "normal", true,
                "enoent");
        TestGuest.inflateTo(d, 4096);
        d.driver().vmmemctl();

        int[] taken = new int[(int) g.freePagesDrained() + 8192];
        int n = 0;
        int pfn;
        while ((pfn = g.mm.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, 0)) != Mm.NO_PAGE && n < taken.length) {
            taken[n++] = pfn; // direct reclaim is shrink_slab(): the balloon gives pages back
        }

        assertThat(d.driver().stats.general(VmwStats.General.SHRINK)).isPositive();
        assertThat(d.driver().size()).isLessThan(4096);
        assertThat(d.driver().shrinkDelayLeftMs()).isPositive();
        assertThat(d.driver().vmballoonChange()).as("no inflation within VMBALLOON_SHRINK_DELAY").isZero();
        for (int i = 0; i < n; i++) {
            g.mm.freePages(taken[i], 0);
        }
        g.assertClean();
    }

    @Test
    void exitGivesEveryFrameBackAndEveryPageButTheBatchPage() {
        long free = g.freePagesDrained();
        VmwDevice d = g.device("0");
        TestGuest.inflateTo(d, 1088);

        d.deactivate();

        assertThat(d.hypervisor().view().held()).isZero();
        assertThat(g.balloons.devices()).isEmpty();
        assertThat(g.freePagesDrained()).as("the batch page is never freed (v6.18.2)").isEqualTo(free - 1);
        assertThat(g.dmesg()).noneMatch(l -> l.contains("BUG") || l.contains("WARNING"));
        g.assertClean();
    }

    @Test
    void vmmemctlPrintsAsTheKernelDoes() {
        VmwDevice d = g.device("0");
        String first = d.driver().vmmemctl();
        TestGuest.inflateTo(d, 512);

        String text = d.driver().vmmemctl();

        assertThat(first).contains("timer                 :                0\n");
        assertThat(text).startsWith("balloon capabilities  :             0x3e\n"
                + "used capabilities     :             0x3e\n"
                + "is resetting          :                n\n"
                + "target                :              512\n"
                + "current               :              512\n"
                + "start                 :                0 (0 failed)\n");
        assertThat(text).contains("2m-lock               :                1 (0 failed)\n")
                .contains("alloc             (2M):                1\n")
                .contains("allocFail         (4k):                0\n")
                .endsWith("free              (2M):                0\n");
        assertThat(text).doesNotContain("null");
    }
}
