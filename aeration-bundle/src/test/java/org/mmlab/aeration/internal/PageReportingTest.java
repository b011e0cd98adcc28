package org.mmlab.aeration.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmlab.mm.Errno;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;

/** mm/page_reporting.c (v5.7, as v6.18 has it) against the real page allocator. */
class PageReportingTest {
    private final HintingGuest g = new HintingGuest("1G", "512M");
    private final FakeDevice device = new FakeDevice(g.core);
    private PageReporting reporting = new PageReporting(g.kernel, PageReporting.V57, -1, false);

    @AfterEach
    void close() {
        reporting.unregister(device);
        reporting.stop();
        g.close();
    }

    @Test
    void aPassReportsEveryFreeBlockFromPageblockOrderInScatterlistsOf32AndMarksThem() {
        assertThat(reporting.register(device)).isZero();
        assertThat(reporting.state()).as("the initial flush is requested").startsWith("REQUESTED, work pending");
        assertThat(reporting.order()).as("no order given: pageblock_order").isEqualTo(Mm.PAGEBLOCK_ORDER);
        long[] before = g.freeBlocks(Mm.PAGEBLOCK_ORDER, pfn -> true);

        while (reporting.runPendingWork()) {
            assertThat(g.core.hintedPages()).as("nothing is off the free lists between passes").isZero();
        }

        assertThat(device.calls).allSatisfy(c -> assertThat(c).hasSizeLessThanOrEqualTo(32));
        assertThat(device.calls.stream().mapToInt(List::size).sum()).isEqualTo((int) before[0]);
        long[] after = g.freeBlocks(Mm.PAGEBLOCK_ORDER, g.core::pageReported);
        assertThat(after[1]).as("every free block of order >= 9 is PageReported").isEqualTo(after[0]);
        assertThat(reporting.state()).isEqualTo("IDLE, work idle");
        assertThat(g.check().ok()).isTrue();
    }

    @Test
    void theBudgetLeavesTheRestToAPassTwoSecondsLaterAndReportedPagesAreSkipped() {
        reporting.register(device);
        reporting.runPendingWork();
        // DIV_ROUND_UP(nr_free, 32 * 16) = 1 for Normal's 128 order-10 blocks: after the budget's second
        // report (64 blocks), the list asks for another pass
        assertThat(reporting.state()).isEqualTo("REQUESTED, work pending");
        int first = device.pagesHanded();
        reporting.runPendingWork();
        int second = device.pagesHanded() - first;
        assertThat(second).isPositive();
        List<Integer> handed = new ArrayList<>();
        device.calls.forEach(c -> c.forEach(b -> handed.add(b[0])));
        assertThat(handed).as("no block is reported twice").doesNotHaveDuplicates();
    }

    @Test
    void aSecondDeviceIsBusy() {
        assertThat(reporting.register(device)).isZero();
        assertThat(reporting.register(new FakeDevice(g.core))).isEqualTo(-Errno.EBUSY);
    }

    @Test
    void aFreedBlockOfPageReportingOrderRequestsAPass() {
        reporting.register(device);
        while (reporting.runPendingWork()) {
            // report everything
        }
        int pfn = g.mm.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, Mm.PAGEBLOCK_ORDER);
        assertThat(g.core.pageReported(pfn)).as("allocation clears PageReported").isFalse();
        assertThat(reporting.state()).isEqualTo("IDLE, work idle");

        g.mm.freePages(pfn, Mm.PAGEBLOCK_ORDER);

        assertThat(reporting.state()).isEqualTo("REQUESTED, work pending");
        int before = device.pagesHanded();
        reporting.runPendingWork();
        assertThat(device.pagesHanded() - before).as("the freed block, merged back to order 10").isEqualTo(1024);
    }

    @Test
    void aFailedReportPutsThePagesBackUnmarked() {
        reporting.register(device);
        device.reportError = -5;
        reporting.runPendingWork();
        assertThat(device.callsMade()).as("the pass stops at the first error").isEqualTo(1);
        long[] after = g.freeBlocks(Mm.PAGEBLOCK_ORDER, g.core::pageReported);
        assertThat(after[1]).isZero();
        assertThat(g.core.hintedPages()).isZero();
        assertThat(g.check().ok()).isTrue();
    }

    @Test
    void theReportedPagesAreOffTheFreeListsWhileTheReportIsInFlight() throws Exception {
        reporting.register(device);
        CountDownLatch inside = device.holdNextCall();
        Thread pass = new Thread(reporting::runPendingWork, "page_reporting pass");
        pass.start();
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        List<int[]> inFlight = device.calls.get(0);
        for (int[] b : inFlight) {
            assertThat(g.core.pageBuddy(b[0])).as("pfn %#x is isolated", b[0]).isFalse();
        }
        long pages = inFlight.stream().mapToLong(b -> 1L << b[1]).sum();
        assertThat(inFlight).hasSize(32);
        assertThat(g.core.hintedPages()).isEqualTo(reporting.pagesInFlight()).isEqualTo(pages);
        assertThat(g.check().ok()).as("hinted pages are accounted").isTrue();
        device.letGo();
        pass.join();
        assertThat(g.core.hintedPages()).isZero();
    }

    @Test
    void unregisterWaitsForTheReportInFlightAndNoPageIsLost() throws Exception {
        reporting.register(device);
        CountDownLatch inside = device.holdNextCall();
        Thread pass = new Thread(reporting::runPendingWork, "page_reporting pass");
        pass.start();
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        CountDownLatch unregistered = new CountDownLatch(1);
        Thread remove = new Thread(() -> {
            reporting.unregister(device);
            unregistered.countDown();
        }, "remove");
        remove.start();
        HintingGuest.awaitStuckOrDone(remove);
        assertThat(unregistered.getCount()).as("cancel_delayed_work_sync() waits for the pass").isOne();
        List<String> problems = new ArrayList<>();
        reporting.check(summary -> { }, problems::add);
        assertThat(problems).as("pr_dev_info is NULL, but the pass that has the pages still runs").isEmpty();

        device.letGo();
        remove.join();
        pass.join();

        assertThat(unregistered.getCount()).isZero();
        assertThat(g.core.hintedPages()).isZero();
        assertThat(g.check().ok()).isTrue();
        assertThat(reporting.state()).startsWith("no device");
    }

    @Test
    void theNoIsolateVariantReportsPagesItLeavesOnTheFreeLists() throws Exception {
        reporting = new PageReporting(g.kernel, PageReporting.NO_ISOLATE, -1, false);
        reporting.register(device);
        CountDownLatch inside = device.holdNextCall();
        Thread pass = new Thread(reporting::runPendingWork, "page_reporting pass");
        pass.start();
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        for (int[] b : device.calls.get(0)) {
            assertThat(g.core.pageBuddy(b[0])).as("pfn %#x stays on its free list", b[0]).isTrue();
        }
        assertThat(g.core.hintedPages()).isZero();
        device.letGo();
        pass.join();
    }
}
