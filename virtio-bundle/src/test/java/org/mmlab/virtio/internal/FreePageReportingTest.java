package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mmlab.mm.Errno;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.hinting.FreePageReporting;
import org.mmlab.mm.hinting.HintingDevice;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.hinting.Scatterlist;
import org.mmlab.mm.internal.MmCheck;

/** VIRTIO_BALLOON_F_REPORTING: the reporting queue, virtballoon_free_page_report() and QEMU's discard. */
class FreePageReportingTest {
    private static final String OFFER = Features.DEFAULT_OFFER + ",REPORTING";

    /** page_reporting_register()'s one-device rule, recording what devices do. */
    static final class Provider implements FreePageReporting {
        final List<String> events = new ArrayList<>();
        HintingDevice device;

        @Override
        public synchronized int register(HintingDevice d) {
            events.add("register " + d.name());
            if (device != null) {
                return -Errno.EBUSY;
            }
            device = d;
            return 0;
        }

        @Override
        public synchronized void unregister(HintingDevice d) {
            events.add("unregister " + d.name());
            if (device == d) {
                device = null;
            }
        }
    }

    /** A free order-10 block of zone 0 taken off its list, as page_reporting_cycle() takes it. */
    private static int isolate(PageAllocHinting core) {
        core.spinLock(0);
        try {
            int pfn = core.listNext(core.freeList(0, Mm.MAX_PAGE_ORDER, MigrateType.MOVABLE.ordinal()));
            assertThat(core.isolateFreePage(pfn, Mm.MAX_PAGE_ORDER)).isPositive();
            return pfn;
        } finally {
            core.spinUnlock(0);
        }
    }

    private static void putback(PageAllocHinting core, int pfn) {
        core.spinLock(0);
        try {
            core.putbackIsolatedPage(pfn, Mm.MAX_PAGE_ORDER, MigrateType.MOVABLE.ordinal());
        } finally {
            core.spinUnlock(0);
        }
    }

    @Test
    void aDeviceThatNegotiatesReportingHasItsQueueAndRegistersWithTheProvider() {
        try (TestGuest g = new TestGuest()) {
            Provider p = new Provider();
            VirtioBalloonDevice d = g.device("0", OFFER, "0", 0, "normal", 5_000);
            assertThat(d.vdev().vq(PageReportingDev.VQ_REPORTING)).isNotNull();
            d.bindFreePageReporting(p);
            assertThat(p.device).isSameAs(d.driver().reporting);

            VirtioBalloonDevice other = g.device("1", OFFER, "0", 0, "normal", 5_000);
            other.bindFreePageReporting(p);
            assertThat(g.dmesg()).contains("virtio_balloon virtio1: page_reporting_register() failed with error -16:"
                    + " another device reports free pages; this one goes on without (the kernel's probe would fail)");

            d.deactivate();
            assertThat(p.events).containsExactly("register virtio-balloon 0", "register virtio-balloon 1",
                    "unregister virtio-balloon 0");
            assertThat(p.device).isNull();
        }
    }

    @Test
    void withoutReportingOfferedThereIsNoQueueAndNothingRegisters() {
        try (TestGuest g = new TestGuest()) {
            Provider p = new Provider();
            VirtioBalloonDevice d = g.device("0");
            d.bindFreePageReporting(p);
            assertThat(d.vdev().vq(PageReportingDev.VQ_REPORTING)).isNull();
            assertThat(p.events).isEmpty();
        }
    }

    @Test
    void theHostDiscardsReportedBlocksAndGivesTheFramesBackWhenTheGuestTouchesThem() {
        try (TestGuest g = new TestGuest()) {
            PageAllocHinting core = g.mm.guest().hinting();
            VirtioBalloonDevice d = g.device("0", OFFER, "0", 0, "normal", 5_000);
            int pfn = isolate(core);
            Scatterlist sg = new Scatterlist(32);
            sg.setPage(31, pfn, Mm.MAX_PAGE_ORDER);

            assertThat(d.driver().reporting.report(sg, 31, 1)).isZero();

            assertThat(d.host().view().reportedPages()).isEqualTo(1024);
            assertThat(core.reportedFramesHeld()).isEqualTo(1024);
            assertThat(g.mm.frameHolder(pfn)).isSameAs(d.host().reportingHost);
            putback(core, pfn);
            int got;
            do { // __putback_isolated_page() put it at the tail of its list
                got = g.mm.allocPages(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_DMA32, Mm.MAX_PAGE_ORDER);
            } while (got != pfn && got != Mm.NO_PAGE);
            assertThat(got).isEqualTo(pfn);
            g.mm.writePage(got, 42); // faults a zeroed frame in: no data loss
            assertThat(core.reportedFramesReturned()).isEqualTo(1);
            assertThat(g.mm.readPage(got)).isEqualTo(42);
            assertThat(MmCheck.run(g.mm.guest(), null).ok()).isTrue();
        }
    }

    @Test
    void aPageTheGuestUsesReportedAnywayIsDataLoss() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0", OFFER, "0", 0, "normal", 5_000);
            int pfn = g.mm.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
            g.mm.writePage(pfn, 7);
            Scatterlist sg = new Scatterlist(1);
            sg.setPage(0, pfn, 0);

            d.driver().reporting.report(sg, 0, 1);

            assertThat(g.dmesg()).anyMatch(l -> l.startsWith("BUG: mmlab: data loss: virtio-balloon host 0 (free page"
                    + " reporting) discarded pfn " + String.format("%#x", pfn) + " as a reported free page"));
            assertThat(MmCheck.run(g.mm.guest(), null).verdict())
                    .startsWith("mm:check: FAIL reported frame discarded in guest use: 1");
        }
    }

    @Test
    void withPoisonValTheHostKeepsReportedPages() {
        try (TestGuest g = new TestGuest(true)) {
            PageAllocHinting core = g.mm.guest().hinting();
            VirtioBalloonDevice d = g.device("0", OFFER, "0", 0, "normal", 5_000);
            assertThat(d.vdev().hasFeature(Uapi.VIRTIO_BALLOON_F_REPORTING)).as("PAGE_POISON is negotiated").isTrue();
            int pfn = isolate(core);
            Scatterlist sg = new Scatterlist(1);
            sg.setPage(0, pfn, Mm.MAX_PAGE_ORDER);

            assertThat(d.driver().reporting.report(sg, 0, 1)).isZero();

            assertThat(d.host().view().reportSkipped()).isEqualTo(1024);
            assertThat(core.reportedFramesHeld()).isZero();
            putback(core, pfn);
        }
    }

    @Test
    void reactTellsTheHostAboutTheBatchUnderBalloonLock() {
        try (TestGuest g = new TestGuest()) {
            PageAllocHinting core = g.mm.guest().hinting();
            VirtioBalloonDevice d = g.device("0", OFFER, "0", 0, "normal", 5_000);
            int batch = g.mm.listHeadAlloc();
            int pfn = takeMaxOrderBlock(core, batch);

            d.driver().reporting.react(batch);

            assertThat(d.host().view().reportedPages()).isEqualTo(1024);
            assertThat(g.mm.frameHolder(pfn + 1023)).isSameAs(d.host().reportingHost);
            putBack(g, core, pfn, batch);
        }
    }

    /**
     * Race 10's end: the aerator reacts through a device already removed. No host will use the buffer on the
     * deleted queue, so tell_host()'s wait ends at once, as its timeout would (here 10 minutes: the timeout
     * below fails the test if the wait runs it out), with the device broken.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void reactThroughARemovedDeviceBreaksItWithoutWaitingForAnAcknowledgementNoHostWillSend() {
        try (TestGuest g = new TestGuest()) {
            PageAllocHinting core = g.mm.guest().hinting();
            VirtioBalloonDevice d = g.device("0", OFFER, "0", 0, "normal", DeviceConfig.MAX_ACK_TIMEOUT_MS);
            int batch = g.mm.listHeadAlloc();
            int pfn = takeMaxOrderBlock(core, batch);
            d.deactivate();

            d.driver().reporting.react(batch);

            assertThat(d.vdev().broken()).isTrue();
            assertThat(g.dmesg()).anyMatch(l -> l.startsWith("virtio_balloon virtio0: the reporting_vq queue was"
                    + " deleted with a buffer (1 pfns) on it"));
            putBack(g, core, pfn, batch);
        }
    }

    /**
     * The lab gives up on a report after its ack timeout (the kernel waits for ever), but not while QEMU is
     * discarding the report's frames: the driver would put the pages back on the free lists, and the guest
     * would allocate frames the host is about to discard (a storm with reporting on found that data loss).
     * Here the host's discard waits for the zone lock the test holds, well past the 100 ms timeout.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aReportTheHostIsDiscardingIsNotGivenBackBeforeTheHostIsDone() throws Exception {
        try (TestGuest g = new TestGuest()) {
            PageAllocHinting core = g.mm.guest().hinting();
            VirtioBalloonDevice d = g.device("0", OFFER, "0", 0, "normal", 100);
            Virtqueue vq = d.vdev().vq(PageReportingDev.VQ_REPORTING);
            int pfn = isolate(core);
            Scatterlist sg = new Scatterlist(1);
            sg.setPage(0, pfn, Mm.MAX_PAGE_ORDER);
            int[] err = {Integer.MIN_VALUE};
            Thread reporter;
            core.spinLock(0);
            try {
                reporter = new Thread(() -> err[0] = d.driver().reporting.report(sg, 0, 1), "page_reporting");
                reporter.start();
                while (vq.numFree() != vq.num) { // until the host took the buffer: it now waits for the zone lock
                    Thread.onSpinWait();
                }
                reporter.join(2_000);
                assertThat(reporter.isAlive()).as("the report waits for the host's discard, past its timeout").isTrue();
            } finally {
                core.spinUnlock(0);
            }
            reporter.join();

            assertThat(d.host().view().reportedPages()).as("the host was done when the driver got the pages").isEqualTo(1024);
            assertThat(err[0]).isIn(0, -5);
            putback(core, pfn);
            assertThat(MmCheck.run(g.mm.guest(), null).ok()).isTrue();
        }
    }

    /** WARN_ON_ONCE(err) in virtballoon_free_page_report(): its flag is the module's, set by any of its devices. */
    @Test
    void aReportThatFindsNoRoomWarnsOnceAModuleLoad() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0", OFFER, "0", 0, "normal", 5_000);
            VirtioBalloonDevice other = g.device("1", OFFER, "0", 0, "normal", 5_000);
            Scatterlist sg = new Scatterlist(1);
            sg.setPage(0, isolate(g.mm.guest().hinting()), Mm.MAX_PAGE_ORDER);
            d.vdev().breakDevice();
            other.vdev().breakDevice();

            assertThat(d.driver().reporting.report(sg, 0, 1)).isEqualTo(-28);
            d.driver().reporting.report(sg, 0, 1);
            other.driver().reporting.report(sg, 0, 1);

            assertThat(g.dmesg()).filteredOn(l -> l.contains("virtballoon_free_page_report: WARN_ON_ONCE(err)")).hasSize(1);
            putback(g.mm.guest().hinting(), sg.pfn(0));
        }
    }

    /** get_aeration_page() of a MAX_PAGE_ORDER movable block under the zone lock, onto the batch list. */
    private static int takeMaxOrderBlock(PageAllocHinting core, int batch) {
        core.spinLock(0);
        try {
            int pfn = core.getAerationPage(0, Mm.MAX_PAGE_ORDER, MigrateType.MOVABLE.ordinal());
            core.listAddTail(pfn, batch);
            return pfn;
        } finally {
            core.spinUnlock(0);
        }
    }

    /** The block off the batch and back on its free list (put_aeration_page()), the batch list freed. */
    private static void putBack(TestGuest g, PageAllocHinting core, int pfn, int batch) {
        core.spinLock(0);
        try {
            g.mm.listDel(pfn);
            core.putAerationPage(0, pfn);
        } finally {
            core.spinUnlock(0);
        }
        g.mm.listHeadFree(batch);
    }
}
