package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.MovablePages2025;
import org.mmlab.mm.NodeStat;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Unloading the driver module with an inflated balloon while compaction holds some of its pages
 * isolated (the mainline contract, 2025, the default): virtballoon_remove() drains the balloon, waiting
 * for the pages compaction has isolated, before the bundle is gone; every page is the guest's again,
 * and loading it again works.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class VirtioLifecycleTest {
    /** The pages whose migration compaction starts with: a range of the balloon's. */
    private static final int RANGE = 512;

    @InjectBundleContext
    BundleContext context;

    @InjectService(cardinality = 0)
    ServiceAware<Balloons> balloonServices;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    ConfigurationAdmin cm;

    @InjectService(cardinality = 0)
    ServiceAware<VirtioBalloons> virtioServices;

    @InjectService(cardinality = 0)
    ServiceAware<MemoryManager> memoryManagers;

    @InjectService(cardinality = 0)
    ServiceAware<MovablePages> movablePages;

    @InjectService(cardinality = 0)
    ServiceAware<MmLab> mmLabs;

    @RegisterExtension
    final FreshGuestSetup guest = new FreshGuestSetup();

    Bundle virtioBundle;
    VirtioLab lab;

    @BeforeEach
    void deviceZeroOnTheFreshGuest() throws Exception {
        virtioBundle = Arrays.stream(context.getBundles()).filter(b -> "virtio-bundle".equals(b.getSymbolicName()))
                .findFirst().orElseThrow();
        lab = new VirtioLab(cm, virtioServices.waitForService(VirtioInFelixTest.WAIT_MS));
        lab.create("0");
    }

    @AfterEach
    void leaveVirtioRunningWithoutDevices() throws Exception {
        if (virtioBundle.getState() != Bundle.ACTIVE) {
            virtioBundle.start();
        }
        lab = new VirtioLab(cm, virtioServices.waitForService(VirtioInFelixTest.WAIT_MS));
        lab.adopt("0");
        lab.deleteAll();
        assertThat(guest.check()).isEqualTo("mm:check: OK");
    }

    /**
     * Compaction migrates a range of the balloon's pages: it isolates them, and the lab's injection-point
     * hook holds it as it calls the driver's migratepage for the first, until the stop has begun (GOING,
     * before the driver's remove runs). So the bundle stops while those pages are isolated, every time.
     */
    @Test
    void stoppingVirtioWhileCompactionHoldsBalloonPagesIsolatedReturnsEveryPageBeforeTheBundleIsGone()
            throws Exception {
        assertThat(Await.value(virtioServices.waitForService(VirtioInFelixTest.WAIT_MS).setTarget("0", 131_072),
                "device 0 at 512 MiB").numPages()).isEqualTo(131_072);
        MemoryManager mm = memoryManagers.waitForService(VirtioInFelixTest.WAIT_MS);
        MovablePages2025 pages = (MovablePages2025) movablePages.waitForService(VirtioInFelixTest.WAIT_MS);
        MmLab lab = mmLabs.waitForService(VirtioInFelixTest.WAIT_MS);
        int first = firstBalloonPage(mm, pages);
        int end = Math.min(first + RANGE, mm.nrPages());
        CountDownLatch inMigration = new CountDownLatch(1);
        CountDownLatch stopping = new CountDownLatch(1);
        AtomicInteger isolatedAtStop = new AtomicInteger(-1);
        AtomicBoolean hooked = new AtomicBoolean();
        Thread[] compaction = new Thread[1];
        InjectionPoints hook = (point, pfn) -> {
            if (point.equals(InjectionPoints.START)) {
                hooked.set(true);
            } else if (Thread.currentThread() == compaction[0] && inMigration.getCount() > 0
                    && point.equals(InjectionPoints.callEnter(InjectionPoints.CALL_B_DEV_INFO_MIGRATEPAGE))) {
                inMigration.countDown();
                awaitUninterruptibly(stopping); // the page and the rest of the range stay isolated until then
            } else if (point.equals(InjectionPoints.MODULE_GOING)) {
                isolatedAtStop.set(isolated(pages, first, end));
                stopping.countDown();
            }
        };
        ServiceRegistration<InjectionPoints> reg = context.registerService(InjectionPoints.class, hook, null);
        ExecutorService compactor = Executors.newSingleThreadExecutor();
        try {
            Await.until("mm-core calling the test's injection points", () -> {
                lab.injectionPoint(InjectionPoints.START, -1);
                return hooked.get();
            });
            Future<Integer> migrated = compactor.submit(() -> {
                compaction[0] = Thread.currentThread();
                return mm.migrateRange(first, end, MigrateMode.SYNC);
            });
            assertThat(inMigration.await(VirtioInFelixTest.WAIT_MS, TimeUnit.MILLISECONDS))
                    .as("compaction calls the driver's migratepage").isTrue();

            virtioBundle.stop();

            assertThat(isolatedAtStop.get()).as("balloon pages isolated when the stop began").isPositive();
            // the bundle is stopped: every page came back while it stopped
            assertThat(mm.nodePageState(NodeStat.NR_BALLOON_PAGES)).isZero();
            assertThat(balloonServices.waitForService(VirtioInFelixTest.WAIT_MS).devices())
                    .noneMatch(b -> b.name().equals("virtio-balloon 0"));
            CheckResult check = guest.checker().check();
            assertThat(check.summary()).as("no frame held by a host").noneMatch(l -> l.startsWith("hosts:"));
            assertThat(check.verdict()).isEqualTo("mm:check: OK");
            System.out.printf("virtio: stopped with a 512 MiB balloon while %d of its pages were isolated; the"
                    + " range migrated %d%n", isolatedAtStop.get(), migrated.get());
        } finally {
            reg.unregister();
            compactor.shutdown();
        }
        assertThat(guest.memFreeKb()).as("MemFree").isEqualTo(guest.memFreeAtBootKb());

        virtioBundle.start();
        VirtioBalloons virtio = virtioServices.waitForService(VirtioInFelixTest.WAIT_MS);
        Await.value(virtio.probed("0"), "device 0 probed again");

        assertThat(Await.value(virtio.setTarget("0", 16_384), "device 0 at 64 MiB").numPages()).isEqualTo(16_384);
        assertThat(virtio.device("0").orElseThrow().hostHeld()).isEqualTo(16_384);
        assertThat(guest.check()).isEqualTo("mm:check: OK");
    }

    /** The lowest PFN of the balloon (2025: a movable_ops page whose page->private names its device). */
    private static int firstBalloonPage(MemoryManager mm, MovablePages2025 pages) {
        for (int pfn = 0; pfn < mm.nrPages(); pfn++) {
            if (pages.pageHasMovableOps(pfn) && pages.pagePrivate(pfn) != 0) {
                return pfn;
            }
        }
        throw new AssertionError("no balloon page after device 0 inflated to 512 MiB");
    }

    private static int isolated(MovablePages2025 pages, int start, int end) {
        int n = 0;
        for (int pfn = start; pfn < end; pfn++) {
            n += pages.pageMovableOpsIsolated(pfn) ? 1 : 0;
        }
        return n;
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
