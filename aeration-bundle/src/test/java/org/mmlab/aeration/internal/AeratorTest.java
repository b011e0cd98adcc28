package org.mmlab.aeration.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmlab.mm.Errno;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.hinting.PageAllocHinting;

/** mm/aeration.c of [PATCH v1 5/6] (seed 002) against the real page allocator. */
class AeratorTest {
    private static final int MOVABLE = MigrateType.MOVABLE.ordinal();
    private final HintingGuest g = new HintingGuest("320M", "192M");
    private final FakeDevice device = new FakeDevice(g.core);
    private Aerator aerator = start(Aerator.V1);

    private Aerator start(String variant) {
        Aerator a = new Aerator(g.kernel, variant, false);
        a.start();
        return a;
    }

    /** Stops the design without aerator_shutdown(), whose wait a failed test could leave waiting for ever. */
    @AfterEach
    void close() {
        aerator.stop();
        g.close();
    }

    private List<String> problems() {
        List<String> out = new ArrayList<>();
        aerator.check(line -> { }, out::add);
        return out;
    }

    @Test
    void startupRequestsEveryZoneAndOneCycleAeratesEveryRawPageInBatchesOfCapacity() {
        assertThat(aerator.register(device)).isZero();
        for (int z = 0; z < g.core.nrZones(); z++) {
            assertThat(g.core.testZoneFlag(z, PageAllocHinting.ZONE_AERATION_REQUESTED)).isTrue();
        }
        assertThat(aerator.state()).isEqualTo("refcnt 2, work pending");

        assertThat(aerator.runPendingWork()).isTrue();

        assertThat(device.calls).allSatisfy(c -> assertThat(c).hasSizeLessThanOrEqualTo(32));
        long[] blocks = g.freeBlocks(Mm.PAGEBLOCK_ORDER, g.core::pageAerated);
        assertThat(blocks[1]).as("every free block of order >= AERATOR_MIN_ORDER is aerated").isEqualTo(blocks[0]);
        for (int z = 0; z < g.core.nrZones(); z++) {
            assertThat(g.core.testZoneFlag(z, PageAllocHinting.ZONE_AERATION_REQUESTED)).isFalse();
            assertThat(g.core.testZoneFlag(z, PageAllocHinting.ZONE_AERATION_ACTIVE)).isFalse();
        }
        assertThat(aerator.state()).isEqualTo("refcnt 0, work idle");
        assertThat(g.core.hintedPages()).isZero();
        assertThat(problems()).isEmpty();
        assertThat(g.check().ok()).isTrue();
    }

    @Test
    void aSecondDeviceIsBusy() {
        assertThat(aerator.register(device)).isZero();
        assertThat(aerator.register(new FakeDevice(g.core))).isEqualTo(-Errno.EBUSY);
    }

    @Test
    void whileReactRunsTheBatchIsOffTheFreeListsAndTheBoundariesKeepAeratedPagesAtTheTail() throws Exception {
        aerator.register(device);
        aerator.runPendingWork();
        // free two raw order-10 blocks in Normal: aerator_notify_free() needs AERATOR_HWM raw pages, so ask directly
        int a = g.mm.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, Mm.MAX_PAGE_ORDER);
        int b = g.mm.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, Mm.MAX_PAGE_ORDER);
        g.mm.freePages(a, Mm.MAX_PAGE_ORDER);
        g.mm.freePages(b, Mm.MAX_PAGE_ORDER);
        int normal = 1;
        g.core.spinLock(normal);
        try {
            aerator.aeratorNotify(normal);
        } finally {
            g.core.spinUnlock(normal);
        }
        CountDownLatch inside = device.holdNextCall();
        Thread cycle = new Thread(aerator::runPendingWork, "aerator_cycle");
        cycle.start();
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        List<int[]> batch = device.calls.get(device.calls.size() - 1);
        assertThat(batch).extracting(x -> x[0]).containsExactlyInAnyOrder(a, b);
        assertThat(g.core.hintedPages()).isEqualTo(2L << Mm.MAX_PAGE_ORDER).isEqualTo(aerator.pagesInFlight());
        assertThat(g.check().ok()).isTrue();
        device.letGo();
        cycle.join();

        int head = g.core.freeList(normal, Mm.MAX_PAGE_ORDER, MOVABLE);
        boolean seenAerated = false;
        for (int id = g.core.listNext(head); id != head; id = g.core.listNext(id)) {
            seenAerated |= g.core.pageAerated(id);
            assertThat(!seenAerated || g.core.pageAerated(id)).as("aerated pages are one block at the tail").isTrue();
        }
        assertThat(g.core.pageAerated(a) && g.core.pageAerated(b)).isTrue();
    }

    @Test
    void aeratorShutdownWaitsWhileTheCycleHoldsItsReferenceAndNoPageIsLost() throws Exception {
        aerator.register(device);
        CountDownLatch inside = device.holdNextCall();
        Thread cycle = new Thread(aerator::runPendingWork, "aerator_cycle");
        cycle.start();
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        CountDownLatch down = new CountDownLatch(1);
        Thread remove = new Thread(() -> {
            aerator.unregister(device);
            down.countDown();
        }, "remove");
        remove.start();
        HintingGuest.awaitStuckOrDone(remove);
        assertThat(down.getCount()).as("while (atomic_read(&a_dev_info->refcnt)) msleep(20)").isOne();

        device.letGo();
        remove.join();
        cycle.join();

        assertThat(g.core.hintedPages()).isZero();
        assertThat(g.dmesg()).noneMatch(l -> l.contains("WARNING"));
        assertThat(problems()).isEmpty();
        assertThat(g.check().ok()).isTrue();
    }

    @Test
    void withoutTheWaitShutdownWarnsAndTheBatchIsLostWithTheDevice() {
        aerator.stop();
        aerator = start(Aerator.NO_WAIT);
        aerator.register(device);
        long[] batch = new long[1];
        device.duringCall = i -> {
            if (i == 0) {
                batch[0] = aerator.pagesInFlight();
                aerator.unregister(device); // the device's remove while its react() runs
            }
        };

        assertThatThrownBy(aerator::runPendingWork).hasMessageContaining("aerator_drain");

        assertThat(String.join("\n", g.dmesg())).contains("WARNING: CPU: 0 PID:", "mm/aeration.c aerator_shutdown:"
                + " WARN_ON(!list_empty(&a_dev_info->batch)): " + batch[0] + " pages in the batch of fake device",
                "BUG: kernel NULL pointer dereference");
        assertThat(batch[0]).isPositive();
        assertThat(g.core.hintedPages()).isEqualTo(batch[0]);
        assertThat(problems()).singleElement().asString().contains(batch[0] + " pages are on the batch of fake device,"
                + " which aerator_shutdown() let go of: lost with the device");
    }

    @Test
    void withoutAeratorDelFromBoundaryTheBoundaryStaysOnAnAllocatedPage() {
        aerator.stop();
        aerator = start(Aerator.NO_DEL);
        aerator.register(device);
        int[] allocated = {Mm.NO_PAGE};
        List<String> seen = new ArrayList<>();
        // DMA32 has 47 raw order-10 blocks: the first react() takes 32, the second (DMA32 ACTIVE now) the other
        // 15, so its order-10 list holds only aerated pages, the first of which is the boundary
        device.duringCall = i -> {
            if (i == 1) {
                allocated[0] = g.mm.allocPages(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_DMA32, Mm.MAX_PAGE_ORDER);
                seen.addAll(problems());
            }
        };

        assertThatThrownBy(aerator::runPendingWork).isInstanceOf(KernelBug.class)
                .hasMessageContaining("free list corrupt: could not add pfn");

        assertThat(allocated[0]).isNotEqualTo(Mm.NO_PAGE);
        assertThat(seen).anySatisfy(p -> assertThat(p).contains("the boundary of DMA32 order 10 Movable points at pfn "
                + String.format("%#x", allocated[0]), "which is not on that free list (not free: allocated)"));
        assertThat(String.join("\n", g.dmesg())).as("the drain inserts before the allocated page: DEBUG_LIST")
                .contains("list_add corruption");
    }

    @Test
    void withAeratorDelFromBoundaryTheBoundaryMovesOnWhenItsPageIsAllocated() {
        aerator.register(device);
        int[] allocated = {Mm.NO_PAGE};
        List<String> seen = new ArrayList<>();
        device.duringCall = i -> {
            if (i == 1) {
                allocated[0] = g.mm.allocPages(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_DMA32, Mm.MAX_PAGE_ORDER);
                seen.addAll(problems());
            }
        };

        aerator.runPendingWork();

        assertThat(allocated[0]).isNotEqualTo(Mm.NO_PAGE);
        assertThat(seen).isEmpty();
        assertThat(g.dmesg()).noneMatch(l -> l.contains("corruption"));
        assertThat(g.check().ok()).isTrue();
    }

    @Test
    void theNotifyOfADeviceShutDownIsANullPointerDereference() {
        aerator.register(device);
        aerator.unregister(device);
        int zone = 1;
        g.core.spinLock(zone);
        try {
            assertThatThrownBy(() -> aerator.aeratorNotify(zone)).hasMessageContaining("__aerator_notify");
        } finally {
            g.core.spinUnlock(zone);
        }
    }

    /**
     * A BUG() that kills the cycle inside react() leaves refcnt up for ever: the kernel's shutdown would wait
     * for ever; the lab's says so and returns, so that a reboot can end the guest (it hung before).
     */
    @Test
    void aShutdownAfterTheCycleDiedSaysSoInsteadOfWaitingForEver() {
        aerator.register(device);
        device.duringCall = i -> {
            throw new KernelBug("the device's BUG()");
        };
        assertThatThrownBy(aerator::runPendingWork).isInstanceOf(KernelBug.class);

        aerator.unregister(device);

        assertThat(String.join("\n", g.dmesg())).contains("aerator_shutdown: refcnt 3 will never drop:"
                + " aerator_cycle() died (the kernel would wait here forever)");
    }
}
