package org.mmlab.balloon.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.mm.Errno;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.NodeStat;
import org.mmlab.mm.PageType;
import org.mmlab.mm.VmEvent;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.internal.Migrate;
import org.mmlab.mm.internal.MmCheck;

/** mm/balloon.c under each contract: inflate, deflate, isolate, put back, migrate, and what mm:check sees. */
class BalloonCoreTest {

    @ParameterizedTest
    @EnumSource(MigrationContract.class)
    void enqueuedPagesAreCountedAndDequeuedOnceEach(MigrationContract contract) {
        Guest g = new Guest(contract);
        long totalram = g.core.totalramPages();
        BalloonDevInfo b = g.device("balloon 0", new Guest.Host(), true);
        List<Integer> pfns = g.inflate(b, 10);

        assertThat(b.nrPages()).isEqualTo(10);
        assertThat(g.core.nodePageState(NodeStat.NR_BALLOON_PAGES)).isEqualTo(10);
        assertThat(g.core.vmEvents(VmEvent.BALLOON_INFLATE)).isEqualTo(10);
        assertThat(g.core.totalramPages()).isEqualTo(totalram - 10);
        if (contract != MigrationContract.BALLOON_2012) {
            assertThat(g.core.pageType(pfns.get(0))).isEqualTo(PageType.OFFLINE);
        }
        assertClean(g);

        int[] out = new int[16];
        assertThat(g.driver.balloonPageListDequeue(b, out, 16)).isEqualTo(10);
        List<Integer> dequeued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            dequeued.add(out[i]);
            assertThat(g.core.pageCount(out[i])).as("only the balloon's (now the caller's) reference").isEqualTo(1);
            g.core.putPage(out[i]);
        }
        assertThat(dequeued).containsExactlyInAnyOrderElementsOf(pfns);
        assertThat(g.core.nodePageState(NodeStat.NR_BALLOON_PAGES)).isZero();
        assertThat(g.core.vmEvents(VmEvent.BALLOON_DEFLATE)).isEqualTo(10);
        assertThat(g.core.totalramPages()).isEqualTo(totalram);
        assertClean(g);
    }

    @ParameterizedTest
    @EnumSource(MigrationContract.class)
    void dequeueFromAnEmptyBalloonWithNothingIsolatedIsTheLostPagesBug(MigrationContract contract) {
        Guest g = new Guest(contract);
        BalloonDevInfo b = g.device("balloon 0", new Guest.Host(), false);

        assertThatThrownBy(() -> g.driver.balloonPageDequeue(b)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("balloon pages are lost");
        assertThat(g.core.guest().dmesg().lines()).anyMatch(l -> l.contains("balloon pages are lost"));
    }

    @ParameterizedTest
    @EnumSource(MigrationContract.class)
    void anIsolatedPageIsNotDequeuedAndComesBackWithPutback(MigrationContract contract) {
        Guest g = new Guest(contract);
        BalloonDevInfo b = g.device("balloon 0", new Guest.Host(), false);
        int pfn = g.inflate(b, 1).get(0);
        Migrate migrate = g.core.guest().migrate();

        assertThat(migrate.isolateMovablePage(pfn, 0)).isTrue();
        assertThat(b.isolatedPages()).isEqualTo(1);
        assertThat(b.nrPages()).isZero();
        assertThat(g.driver.balloonPageDequeue(b)).as("isolated pages are not on the list: retry later")
                .isEqualTo(Mm.NO_PAGE);
        assertClean(g);

        int head = g.core.listHeadAlloc();
        g.core.listAdd(pfn, head);
        migrate.putbackMovablePages(head);
        assertThat(b.isolatedPages()).isZero();
        assertThat(g.driver.balloonPageDequeue(b)).isEqualTo(pfn);
        assertClean(g);
    }

    @ParameterizedTest
    @EnumSource(MigrationContract.class)
    void aMigratedPageIsReplacedByTheNewOneAndFreed(MigrationContract contract) {
        Guest g = new Guest(contract);
        Guest.Host host = new Guest.Host();
        BalloonDevInfo b = g.device("balloon 0", host, true);
        int pfn = g.inflate(b, 1).get(0);
        long totalram = g.core.totalramPages();

        int[] dst = new int[1];
        int failed = migrate(g, pfn, (src, order) -> dst[0] = g.core.allocPages(0, 0));

        assertThat(failed).isZero();
        assertThat(host.migrations).containsExactly(new int[] {dst[0], pfn});
        assertThat(g.core.pageCount(pfn)).as("the old page went back to the allocator").isZero();
        assertThat(g.core.pageCount(dst[0])).as("the balloon's reference").isEqualTo(1);
        assertThat(b.nrPages()).isEqualTo(1);
        assertThat(b.isolatedPages()).isZero();
        assertThat(g.core.vmEvents(VmEvent.BALLOON_MIGRATE)).isEqualTo(1);
        assertThat(g.core.nodePageState(NodeStat.NR_BALLOON_PAGES)).isEqualTo(1);
        assertThat(g.core.totalramPages()).isEqualTo(totalram);
        assertThat(g.driver.balloonPageDequeue(b)).isEqualTo(dst[0]);
        assertClean(g);
    }

    @ParameterizedTest
    @EnumSource(MigrationContract.class)
    void aBusyDriverIsRetriedThenThePageIsPutBack(MigrationContract contract) {
        Guest g = new Guest(contract);
        Guest.Host host = Guest.Host.answering(-Errno.EAGAIN);
        BalloonDevInfo b = g.device("balloon 0", host, false);
        int pfn = g.inflate(b, 1).get(0);

        int failed = migrate(g, pfn, (src, order) -> g.core.allocPages(0, 0));

        assertThat(failed).isEqualTo(1);
        assertThat(host.migrations).hasSize(Migrate.NR_MAX_MIGRATE_PAGES_RETRY);
        assertThat(b.nrPages()).as("put back").isEqualTo(1);
        assertThat(b.isolatedPages()).isZero();
        assertThat(g.core.vmEvents(VmEvent.BALLOON_MIGRATE)).isZero();
        assertClean(g);
    }

    @ParameterizedTest
    @EnumSource(value = MigrationContract.class, names = {"NON_LRU_2016", "MOVABLE_OPS_2025"})
    void enoentDeflatesTheOldPageWithoutInflatingTheNewOne(MigrationContract contract) {
        Guest g = new Guest(contract);
        BalloonDevInfo b = g.device("balloon 0", Guest.Host.answering(Guest.Host.ENOENT), true);
        int pfn = g.inflate(b, 1).get(0);
        long totalram = g.core.totalramPages();
        int[] dst = new int[1];

        assertThat(migrate(g, pfn, (src, order) -> dst[0] = g.core.allocPages(0, 0))).isZero();

        assertThat(g.core.pageCount(pfn)).isZero();
        assertThat(g.core.pageCount(dst[0])).as("never inflated: freed").isZero();
        assertThat(b.nrPages() + b.isolatedPages()).isZero();
        assertThat(g.core.vmEvents(VmEvent.BALLOON_DEFLATE)).isEqualTo(1);
        assertThat(g.core.nodePageState(NodeStat.NR_BALLOON_PAGES)).isZero();
        assertThat(g.core.totalramPages()).isEqualTo(totalram + 1);
        assertClean(g);
    }

    /** 4ba5a8a7faa6 (v6.18-rc3): vmw_balloon deflated the old page itself and answers 0: freed as if migrated. */
    @ParameterizedTest
    @EnumSource(value = MigrationContract.class, names = {"NON_LRU_2016", "MOVABLE_OPS_2025"})
    void aPageTheDriverDeflatedItselfIsFreedAsMigratedWhenItAnswersZero(MigrationContract contract) {
        Guest g = new Guest(contract);
        BalloonDevInfo b = g.device("balloon 0", Guest.Host.deflatingItselfAndAnswering(0), false);
        int pfn = g.inflate(b, 2).get(0);
        int[] dst = new int[1];

        assertThat(migrate(g, pfn, (src, order) -> dst[0] = g.core.allocPages(0, 0))).isZero();

        assertThat(g.core.pageCount(pfn)).isZero();
        assertThat(g.core.pageCount(dst[0])).as("never inflated: freed").isZero();
        assertThat(b.nrPages()).isEqualTo(1);
        assertThat(b.isolatedPages()).isZero();
        assertThat(g.core.vmEvents(VmEvent.BALLOON_DEFLATE)).isEqualTo(1);
        assertThat(g.core.nodePageState(NodeStat.NR_BALLOON_PAGES)).isEqualTo(1);
        assertThat(g.core.guest().dmesg().lines()).noneMatch(l -> l.contains("WARNING"));
        assertClean(g);
    }

    /**
     * Before 4ba5a8a7faa6 vmw_balloon answered -EBUSY: the page stays isolated and is put back, but it is no
     * device's. The 2016 core saw it released (__ClearPageMovable()) and freed it; since 3544c4faccb8 (2025)
     * balloon_page_putback() finds no b_dev_info and WARNs, and the core frees it all the same.
     */
    @ParameterizedTest
    @EnumSource(value = MigrationContract.class, names = {"NON_LRU_2016", "MOVABLE_OPS_2025"})
    void aPageTheDriverDeflatedItselfAndFailedIsPutBackToNoDevice(MigrationContract contract) {
        Guest g = new Guest(contract);
        BalloonDevInfo b = g.device("balloon 0", Guest.Host.deflatingItselfAndAnswering(-Errno.EBUSY), false);
        int pfn = g.inflate(b, 2).get(0);

        assertThat(migrate(g, pfn, (src, order) -> g.core.allocPages(0, 0))).isEqualTo(1);

        assertThat(g.core.pageCount(pfn)).as("freed by the putback").isZero();
        assertThat(b.nrPages()).isEqualTo(1);
        assertThat(b.isolatedPages()).isZero();
        boolean warned = g.core.guest().dmesg().lines().stream()
                .anyMatch(l -> l.contains("WARNING: CPU: 0 at mm/balloon.c balloon_page_putback: WARN_ON_ONCE(!b_dev_info)"));
        assertThat(warned).isEqualTo(contract == MigrationContract.MOVABLE_OPS_2025);
        assertClean(g);
    }

    @ParameterizedTest
    @EnumSource(MigrationContract.class)
    void compactionMigratesBalloonPagesOfTwoDevicesAndEachStaysAccountedOnce(MigrationContract contract) {
        Guest g = new Guest(contract);
        BalloonDevInfo b0 = g.device("balloon 0", new Guest.Host(), true);
        BalloonDevInfo b1 = g.device("balloon 1", new Guest.Host(), false);
        // every other page of the guest's free memory to the balloons, alternating: a fragmented guest
        List<Integer> spare = new ArrayList<>();
        int pfn;
        int i = 0;
        while ((pfn = g.driver.balloonPageAlloc()) != Mm.NO_PAGE) {
            if (i++ % 2 == 0) {
                g.driver.balloonPageEnqueue(i % 4 == 1 ? b0 : b1, pfn);
            } else {
                spare.add(pfn);
            }
        }
        for (int s : spare) {
            g.core.putPage(s);
        }
        long inflated = b0.nrPages() + b1.nrPages();

        g.core.guest().compaction().compactMemory(MigrateMode.SYNC);

        assertThat(g.core.vmEvents(VmEvent.BALLOON_MIGRATE)).isPositive();
        assertThat(b0.nrPages() + b1.nrPages()).isEqualTo(inflated);
        assertThat(b0.isolatedPages() + b1.isolatedPages()).isZero();
        assertClean(g);
    }

    @ParameterizedTest
    @EnumSource(value = MigrationContract.class, names = {"BALLOON_2012", "NON_LRU_2016"})
    void aMigrationTheDriverAccountsOnAnotherDeviceIsLostToTheFirstAndItsDeflateEndsInTheLostPagesBug(
            MigrationContract contract) {
        Guest g = new Guest(contract);
        Guest.Host host = new Guest.Host();
        BalloonDevInfo b0 = g.device("balloon 0", host, false);
        BalloonDevInfo b1 = g.device("balloon 1", new Guest.Host(), false);
        int pfn = g.inflate(b0, 2).get(0);
        host.accountOn = b1; // the v7 patch's vb_ptr: the device probed last
        int[] dst = new int[1];

        assertThat(migrate(g, pfn, (src, order) -> dst[0] = g.core.allocPages(0, 0))).isZero();

        assertThat(b0.nrPages()).isEqualTo(1);
        assertThat(b0.isolatedPages()).as("never back to 0").isEqualTo(1);
        assertThat(b1.nrPages()).as("the new page went on balloon 1's list").isEqualTo(1);
        assertThat(b1.isolatedPages()).isEqualTo(-1);
        List<String> problems = new ArrayList<>();
        new BalloonCheck(g.balloon).check(l -> { }, problems::add);
        assertThat(problems).contains("balloon 0: isolated_pages 1, but 0 of its pages are off its list",
                "balloon 1: isolated_pages -1, but 0 of its pages are off its list");

        int last = g.driver.balloonPageDequeue(b0);
        assertThat(last).isNotEqualTo(Mm.NO_PAGE);
        g.core.putPage(last);
        // the kernel's driver would retry for ever: isolated_pages says 1, but no migration will bring it back
        assertThatThrownBy(() -> g.driver.balloonPageDequeue(b0)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("held by no migration");
        assertThat(g.core.guest().dmesg().lines()).anyMatch(l -> l.contains("balloon 0: the list is empty and"
                + " isolated_pages is 1, but migration holds none of its pages: balloon pages are lost"));
    }

    @ParameterizedTest
    @EnumSource(MigrationContract.class)
    void aDeviceIsRemovedOnlyOnceItIsEmpty(MigrationContract contract) {
        Guest g = new Guest(contract);
        BalloonDevInfo b = g.device("balloon 0", new Guest.Host(), false);
        int pfn = g.inflate(b, 1).get(0);

        assertThatThrownBy(() -> g.driver.balloonDevinfoRemove(b)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("still has 1 pages");
        assertThat(g.driver.devices()).containsExactly(b);

        assertThat(g.driver.balloonPageDequeue(b)).isEqualTo(pfn);
        g.core.putPage(pfn);
        g.driver.balloonDevinfoRemove(b);
        assertThat(g.driver.devices()).isEmpty();
        assertThat(b.removed()).isTrue();
        assertThatThrownBy(() -> g.driver.balloonPageEnqueue(b, g.driver.balloonPageAlloc()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(value = MigrationContract.class, names = {"NON_LRU_2016", "MOVABLE_OPS_2025"})
    void theCheckFindsAListedPageThatIsNoLongerTheDevices(MigrationContract contract) {
        Guest g = new Guest(contract);
        BalloonDevInfo b = g.device("balloon 0", new Guest.Host(), false);
        int pfn = g.inflate(b, 3).get(1);
        g.balloon.own.setPagePrivate(pfn, 0); // what a buggy deflate that forgot list_del would leave

        List<String> problems = new ArrayList<>();
        new BalloonCheck(g.balloon).check(l -> { }, problems::add);

        assertThat(problems).anyMatch(p -> p.contains(String.format("pfn %#x on its list has page->private 0", pfn)));
    }

    @ParameterizedTest
    @EnumSource(MigrationContract.class)
    void badInputChangesNothing(MigrationContract contract) {
        Guest g = new Guest(contract);
        BalloonDevInfo b = g.device("balloon 0", new Guest.Host(), false);

        assertThatThrownBy(() -> g.driver.balloonDevinfoInit("balloon 0", null, false))
                .hasMessageContaining("exists");
        assertThatThrownBy(() -> g.driver.balloonPageEnqueue(b, -1)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> g.driver.balloonPageListDequeue(b, new int[2], 3)).hasMessageContaining("3 pages");
        assertThat(g.driver.devices()).containsExactly(b);
        assertThat(b.nrPages()).isZero();
    }

    /** Isolates pfn, puts it on a list and runs migrate_pages() on it; returns the pages not migrated. */
    private static int migrate(Guest g, int pfn, Migrate.NewPage getNew) {
        Migrate migrate = g.core.guest().migrate();
        assertThat(migrate.isolateMovablePage(pfn, 0)).isTrue();
        int head = g.core.listHeadAlloc();
        g.core.listAdd(pfn, head);
        int failed = migrate.migratePages(head, getNew, (p, order) -> g.core.freePages(p, order),
                MigrateMode.SYNC, Migrate.Reason.COMPACTION, null);
        migrate.putbackMovablePages(head);
        g.core.listHeadFree(head);
        return failed;
    }

    private static void assertClean(Guest g) {
        List<String> problems = new ArrayList<>();
        new BalloonCheck(g.balloon).check(l -> { }, problems::add);
        assertThat(problems).isEmpty();
        CheckResult r = MmCheck.run(g.core.guest(), null);
        assertThat(r.ok()).as(r.text()).isTrue();
    }
}
