package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.CheckResult;

/**
 * QEMU discarding reported free pages (virtio_balloon_handle_report()) and the lab's oracle: a page the
 * guest uses when the host discards it is data loss.
 */
class ReportedFrameOracleTest {
    private final GuestMemory g = HandBuiltGuest.boot();
    private final HintingCore h = g.hinting();
    private final Hypervisor host = new Hypervisor() {
        @Override
        public String name() {
            return "test host";
        }

        @Override
        public boolean faultsInOnAccess() {
            return true;
        }

        @Override
        public void guestAccessedHeldFrame(int pfn, String access) {
        }
    };

    /**
     * stop_machine() stops the guest, not QEMU: a task inside mm code that waits for the host (tell_host() from
     * a balloon page's migration) while mm:check waits for that task must not wait for ever because the host
     * is discarding a report first. A storm with reporting on broke devices on this after 5 s.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theHostDiscardsAReportWhileAStopWaitsForATaskThatWaitsForTheHost() throws Exception {
        int pfn = h.listNext(h.freeList(1, Mm.MAX_PAGE_ORDER, MigrateType.MOVABLE.ordinal()));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch hostDone = new CountDownLatch(1);
        Thread task = new Thread(() -> {
            g.stopMachine.enter();
            try {
                inside.countDown();
                hostDone.await(); // wait_event(vb->acked, ...) inside migration
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                g.stopMachine.exit();
            }
        }, "compaction");
        task.start();
        inside.await();
        Thread check = new Thread(() -> MmCheck.run(g, null), "mm:check");
        check.start();
        while (!g.stopMachine.stopPending()) {
            Thread.onSpinWait();
        }

        h.hostDiscardReportedFrame(pfn, host);
        hostDone.countDown();

        check.join();
        task.join();
        assertThat(h.reportedFramesHeld()).isEqualTo(1);
    }

    @Test
    void aFreePageDiscardedIsHeldUntilTheGuestTouchesItAgain() {
        int pfn = h.listNext(h.freeList(1, Mm.MAX_PAGE_ORDER, MigrateType.MOVABLE.ordinal()));
        h.hostDiscardReportedFrame(pfn, host);
        h.hostDiscardReportedFrame(pfn, host); // QEMU discards an already discarded range to no effect
        assertThat(h.reportedFramesHeld()).isEqualTo(1);

        int got = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, Mm.MAX_PAGE_ORDER);
        assertThat(got).isEqualTo(pfn);
        g.hostFrames.access(pfn, "user store (fault)");

        assertThat(h.reportedFramesHeld()).isZero();
        assertThat(h.reportedFramesReturned()).isEqualTo(1);
        assertThat(g.content.read(pfn)).as("a zeroed frame faulted in").isZero();
        assertThat(g.dmesg.lines()).noneMatch(l -> l.contains("data loss"));
        assertThat(MmCheck.run(g, null).ok()).isTrue();
    }

    @Test
    void aPageTheGuestUsesWhenTheHostDiscardsItIsDataLoss() {
        int pfn = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        g.content.write(pfn, 0x1234);

        h.hostDiscardReportedFrame(pfn, host);

        assertThat(g.content.read(pfn)).isZero();
        assertThat(String.join("\n", g.dmesg.lines())).contains("BUG: mmlab: data loss: test host discarded pfn "
                + String.format("%#x", pfn) + " as a reported free page, but the guest uses it: allocated by the kernel");
        CheckResult r = MmCheck.run(g, null);
        assertThat(r.verdict()).startsWith("mm:check: FAIL reported frame discarded in guest use: 1");
    }

    @Test
    void aPageOffTheFreeListsForHintingIsNotInUse() {
        int zone = 1;
        int pfn = h.listNext(h.freeList(zone, Mm.MAX_PAGE_ORDER, MigrateType.MOVABLE.ordinal()));
        h.spinLock(zone);
        try {
            h.isolateFreePage(pfn, Mm.MAX_PAGE_ORDER);
        } finally {
            h.spinUnlock(zone);
        }

        h.hostDiscardReportedFrame(pfn + 5, host);

        assertThat(g.dmesg.lines()).noneMatch(l -> l.contains("data loss"));
        assertThat(h.reportedFramesHeld()).isEqualTo(1);
    }

    /**
     * The storm's silent workload data loss (reporting on, 2025/none, seed 1): compaction migrated a user
     * page into a free page whose frame the host held as reported; the copy landed in the discarded frame
     * without faulting it in, and the user's next load faulted a zeroed frame in over the data.
     */
    @Test
    void aUserPageMigratedIntoAReportedFrameKeepsItsContent() {
        Workload w = new Workload(g);
        w.prepare(3, 8, 512);
        w.step(5_000);
        LruMigrationTest.Mapped m = LruMigrationTest.mapped(w).get(0);
        long content = g.content.read(m.pfn());
        long reported = discardEveryFreePage();
        assertThat(h.reportedFramesHeld()).as("the host holds every free page").isEqualTo(reported).isPositive();
        assertThat(g.migrate.isolateLruPage(m.pfn())).isTrue();
        MigrationList list = new MigrationList(g, m.pfn());

        assertThat(list.migrate(MigrateMode.SYNC)).isZero();

        int dst = list.lastTarget();
        assertThat(m.p().pte(m.vpage())).isEqualTo(dst);
        assertThat(g.hostFrames.holder(dst)).as("the copy faulted the frame in").isNull();
        g.hostFrames.access(dst, "user load");
        assertThat(g.content.read(dst)).isEqualTo(content);
        w.step(5_000);
        assertThat(w.dataLoss()).isZero();
        assertThat(g.dmesg.lines()).noneMatch(l -> l.contains("data loss"));
    }

    /** QEMU discards every page on the free lists as reported; returns how many. */
    private long discardEveryFreePage() {
        long n = 0;
        for (int zone = 0; zone < h.nrZones(); zone++) {
            for (int order = 0; order <= Mm.MAX_PAGE_ORDER; order++) {
                for (int mt = 0; mt < MigrateType.values().length; mt++) {
                    int head = h.freeList(zone, order, mt);
                    for (int pfn = h.listNext(head); pfn != head; pfn = h.listNext(pfn)) {
                        for (int p = pfn; p < pfn + (1 << order); p++) {
                            h.hostDiscardReportedFrame(p, host);
                            n++;
                        }
                    }
                }
            }
        }
        return n;
    }

    @Test
    void aBalloonTakingAReportedFrameTakesItFromTheReportingHost() {
        int pfn = h.listNext(h.freeList(1, Mm.MAX_PAGE_ORDER, MigrateType.MOVABLE.ordinal()));
        h.hostDiscardReportedFrame(pfn, host);
        int got = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, Mm.MAX_PAGE_ORDER);
        assertThat(got).isEqualTo(pfn);
        Hypervisor balloon = new Hypervisor() {
            @Override
            public String name() {
                return "balloon host";
            }

            @Override
            public boolean faultsInOnAccess() {
                return false;
            }

            @Override
            public void guestAccessedHeldFrame(int p, String access) {
            }
        };

        g.hostFrames.discard(pfn, balloon);

        assertThat(g.hostFrames.holder(pfn)).isSameAs(balloon);
        assertThat(h.reportedFramesHeld()).isZero();
    }
}
