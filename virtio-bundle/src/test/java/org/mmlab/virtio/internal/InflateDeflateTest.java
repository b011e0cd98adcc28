package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.Mm;
import org.mmlab.mm.VmEvent;

/** towards_target, fill_balloon, leak_balloon and update_balloon_size, against the simulated host. */
class InflateDeflateTest {

    @Test
    void theDriverFollowsTheHostsTargetUpAndDownAndTheHostHoldsExactlyTheBalloon() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            long free = g.freePagesDrained();

            g.inflateTo(d, 1000);

            assertThat(d.host().view().held()).isEqualTo(1000);
            assertThat(g.freePagesDrained()).isEqualTo(free - 1000);
            FakeBalloons.Dev dev = g.balloons.devs.get(0);
            assertThat(dev.pages).hasSize(1000);
            for (int pfn : dev.pages) {
                assertThat(g.mm.frameHolder(pfn)).isSameAs(d.host());
            }
            assertThat(d.host().view().ackedBuffers()).as("1000 pages in requests of at most 256").isEqualTo(4);

            g.inflateTo(d, 300);

            assertThat(d.host().view().held()).isEqualTo(300);
            assertThat(g.freePagesDrained()).isEqualTo(free - 300);
            assertThat(g.mm.vmEvents(VmEvent.BALLOON_DEFLATE)).isEqualTo(700);
            assertProblems(d).isEmpty();
        }
    }

    @Test
    void fillBalloonTakesAtMost256PagesPerRequest() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");

            int added = d.driver().fillBalloon(1000);

            assertThat(added).isEqualTo(VirtioBalloon.VIRTIO_BALLOON_ARRAY_PFNS_MAX);
            assertThat(d.driver().numPages()).isEqualTo(256);
            assertThat(d.host().view().held()).isEqualTo(256);
            assertThat(d.host().view().ackedBuffers()).isEqualTo(1);
        }
    }

    /**
     * fill_balloon() counts a request's pages (num_pages, and the lab's pages not yet told to the host) once
     * for the request: a BUG in the middle of it must still count every page it enqueued.
     */
    @Test
    void aBugInTheMiddleOfARequestLeavesTheEnqueuedPagesCounted() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            g.balloons.enqueuesBeforeBug = 100;

            assertThatThrownBy(() -> d.driver().fillBalloon(256)).isInstanceOf(KernelBug.class);

            assertThat(d.driver().numPages()).isEqualTo(100);
            assertThat(g.balloons.devs.get(0).pages).hasSize(100);
            assertThat(d.host().view().held()).as("nothing was told to the host").isZero();
            synchronized (d.driver().vdev.ringLock) {
                assertThat(d.driver().missingLocked()).isEqualTo(100);
            }
            d.driver().updateBalloonSize(); // what update_balloon_size_func() does after fill_balloon()
            assertProblems(d).isEmpty();
        }
    }

    /** leak_balloon() likewise: the pages dequeued before a BUG are counted out of num_pages and as extra. */
    @Test
    void aBugInTheMiddleOfADeflateLeavesTheDequeuedPagesCounted() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            g.inflateTo(d, 256);
            FakeBalloons.Dev dev = g.balloons.devs.get(0);
            List<Integer> hidden = new ArrayList<>(new ArrayList<>(dev.pages).subList(156, 256));
            dev.pages.removeAll(hidden); // 156 pages on the list, none isolated: the 157th dequeue BUGs

            assertThatThrownBy(() -> d.driver().leakBalloon(256)).isInstanceOf(KernelBug.class);

            assertThat(d.driver().numPages()).isEqualTo(100);
            synchronized (d.driver().vdev.ringLock) {
                assertThat(d.driver().extraLocked()).isEqualTo(156);
            }
            dev.pages.addAll(hidden); // back on the list, for the remove at close
        }
    }

    @Test
    void withoutDeflateOnOomTheBalloonLeavesTotalram() {
        try (TestGuest g = new TestGuest()) {
            long total = g.mm.totalramPages();
            VirtioBalloonDevice d = g.device("0", "MUST_TELL_HOST", "100", 0, "normal", 5_000);
            TestGuest.await("100 pages", () -> d.driver().numPages() == 100 && d.driver().idle());

            assertThat(g.balloons.calls).contains("balloonDevinfoInit virtio-balloon 0 adjust=true");
            assertThat(g.mm.totalramPages()).isEqualTo(total - 100);
        }
    }

    @Test
    void leakTellsTheHostBeforeItReleasesThePages() throws Exception {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            g.inflateTo(d, 10);
            List<Integer> pfns = new ArrayList<>(g.balloons.devs.get(0).pages);
            assertThat(pfns).hasSize(10);
            d.host().setMisbehaviour(HostMisbehaviour.parse("ack-delay 300"));

            Thread leak = new Thread(() -> d.driver().leakBalloon(10));
            leak.start();
            TestGuest.await("the deflate applied by the host", () -> d.host().view().held() == 0);

            // the host gave the frames back but has not acknowledged: the guest must not have them yet
            for (int pfn : pfns) {
                assertThat(g.mm.pageCount(pfn)).as("pfn %#x before the ack", pfn).isEqualTo(1);
            }
            leak.join();
            for (int pfn : pfns) {
                assertThat(g.mm.pageCount(pfn)).as("pfn %#x after the ack", pfn).isZero();
            }
        }
    }

    @Test
    void outOfPuffIsPrintedAndTheDriverBacksOffWhenNoPageIsLeft() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            List<Integer> hog = new ArrayList<>();
            for (int pfn; (pfn = g.mm.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN
                    | Gfp.__GFP_MEMALLOC, 0)) != Mm.NO_PAGE;) {
                hog.add(pfn);
            }
            long t0 = System.nanoTime();

            int added = d.driver().fillBalloon(10);

            assertThat(added).isZero();
            assertThat((System.nanoTime() - t0) / 1_000_000).as("msleep(200)").isGreaterThanOrEqualTo(200);
            assertThat(g.dmesg()).contains("virtio_balloon virtio0: Out of puff! Can't get 1 pages");
            assertThat(d.host().view().ackedBuffers()).as("nothing to tell the host").isZero();
            hog.forEach(pfn -> g.mm.freePages(pfn, 0));
        }
    }

    @Test
    void theHostsOwnInitialTargetIsReachedAtProbe() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0", Features.DEFAULT_OFFER, "1M", 0, "normal", 5_000);

            TestGuest.await("256 pages", () -> d.driver().numPages() == 256 && d.host().actual() == 256);
        }
    }

    static org.assertj.core.api.ListAssert<String> assertProblems(VirtioBalloonDevice d) {
        List<String> problems = new ArrayList<>();
        d.check(s -> { }, problems::add);
        return assertThat(problems);
    }
}
