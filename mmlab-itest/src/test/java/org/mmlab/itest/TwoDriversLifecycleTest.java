package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.itest.MmOutput.lastLine;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.virtio.VirtioBalloonState;
import org.mmlab.virtio.VirtioBalloons;
import org.mmlab.vmware.VmwBalloonState;
import org.mmlab.vmware.VmwBalloons;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Two balloon drivers in one guest, virtio-bundle and vmware-bundle, each with its device 0 and its own
 * host, while compaction migrates both balloons' pages: stopping or uninstalling either bundle, or both
 * at once, while the other inflates, gives every page of the stopped one back (its host holds nothing,
 * its device is gone from the balloon infrastructure) and leaves the other to reach its target as if
 * nothing happened. "While it inflates" is made certain, not hoped for: the lab's injection-point hook
 * holds the inflating driver's work in the middle of an inflation (its host already has the pages, the
 * balloon infrastructure not yet) until the stop has begun. The one page that stays is the VMware
 * driver's batch page, which v6.18.2's vmballoon_exit() never frees.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class TwoDriversLifecycleTest {
    static final long GIB_FRAMES = 262_144;
    /** The threads of the drivers' works: vmballoon_work() and update_balloon_size_func(). */
    static final String VMW_WORK = "vmw_balloon 0 ";
    static final String VIRTIO_WORK = "virtio_balloon virtio0 ";

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    CommandProcessor processor;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    ConfigurationAdmin cm;

    @InjectService(cardinality = 0)
    ServiceAware<VirtioBalloons> virtioServices;

    @InjectService(cardinality = 0)
    ServiceAware<VmwBalloons> vmwServices;

    @InjectService(cardinality = 0)
    ServiceAware<MmLab> mmLabs;

    @RegisterExtension
    final FreshGuestSetup guest = new FreshGuestSetup();

    GogoSession gogo;
    final List<Configuration> configs = new ArrayList<>();
    /** The bundles a test uninstalled, by symbolic name, with their jars: installed again afterwards. */
    final Map<String, byte[]> uninstalled = new HashMap<>();
    Compactor compactor;
    HeldWorks works;

    @BeforeEach
    void openAShell() throws Exception {
        gogo = new GogoSession(processor);
        compactor = new Compactor(processor);
        works = new HeldWorks(context, mmLabs.waitForService(VirtioInFelixTest.WAIT_MS));
    }

    @AfterEach
    void bothDriversBackWithoutDevices() throws Exception {
        try {
            works.close();
            compactor.stop();
            for (String bsn : List.of("virtio-bundle", "vmware-bundle")) {
                Bundle b = bundle(bsn);
                if (b == null) { // insmod again, through the bundle's own context (the injected one would uninstall it)
                    b = context.getBundle().getBundleContext().installBundle("mmlab-itest:" + bsn,
                            new ByteArrayInputStream(uninstalled.get(bsn)));
                }
                if (b.getState() != Bundle.ACTIVE) {
                    b.start();
                }
            }
            for (Configuration c : configs) {
                c.delete();
            }
            VirtioBalloons virtio = virtioServices.waitForService(VirtioInFelixTest.WAIT_MS);
            VmwBalloons vmw = vmwServices.waitForService(VirtioInFelixTest.WAIT_MS);
            Await.until("no device left", () -> virtio.devices().isEmpty() && vmw.devices().isEmpty());
            assertThat(guest.check()).isEqualTo("mm:check: OK");
        } finally {
            gogo.close();
        }
    }

    @Test
    void stoppingVmwareWhileVirtioInflatesAndCompactionRunsGivesBackEveryVmwPageAndVirtioGoesOn() throws Exception {
        long batchPages = vmwDevice(GIB_FRAMES / 2 + 256).batchPages(); // 256 2M pages and 256 4k pages
        VirtioBalloons virtio = virtioInflatingHeld(GIB_FRAMES);
        compactor.start();

        bundle("vmware-bundle").stop();

        works.release();
        assertVmwareGoneAndVirtioReaches(virtio, GIB_FRAMES, batchPages);
    }

    @Test
    void uninstallingVmwareWhileVirtioInflatesAndCompactionRunsGivesBackEveryVmwPageAndVirtioGoesOn()
            throws Exception {
        long batchPages = vmwDevice(GIB_FRAMES / 2 + 256).batchPages();
        VirtioBalloons virtio = virtioInflatingHeld(GIB_FRAMES);
        compactor.start();
        Bundle vmware = bundle("vmware-bundle");
        uninstalled.put("vmware-bundle", BundleJar.of(vmware));

        vmware.uninstall();

        works.release();
        assertVmwareGoneAndVirtioReaches(virtio, GIB_FRAMES, batchPages);
    }

    @Test
    void stoppingVirtioWhileVmwareInflatesAndCompactionRunsGivesBackEveryVirtioPageAndVmwareGoesOn()
            throws Exception {
        VirtioBalloons virtio = virtioServices.waitForService(VirtioInFelixTest.WAIT_MS);
        virtioDevice(GIB_FRAMES / 4);
        Await.until("virtio at 256 MiB", () -> virtio.device("0").filter(s -> s.actual() == GIB_FRAMES / 4).isPresent());
        VmwBalloons vmw = vmwInflatingHeld(GIB_FRAMES);
        long batchPages = vmw.device("0").orElseThrow().batchPages();
        compactor.start();

        bundle("virtio-bundle").stop();

        works.release();
        Await.until("vmware at 1 GiB", () -> vmw.device("0").filter(s -> s.size() == GIB_FRAMES
                && s.hostHeld() == GIB_FRAMES).isPresent());
        compactor.stop();
        VmwBalloonState s = vmw.device("0").orElseThrow();
        assertThat(s.resetting()).isFalse();
        assertThat(s.dataLoss()).isZero();
        assertThat(s.batchPages()).as("no reset happened to it").isEqualTo(batchPages);
        assertThat(gogo.run("balloon:list")).doesNotContain("virtio-balloon").contains("vmw-balloon 0");
        String check = gogo.run("mm:check");
        assertThat(check).contains("hosts: " + GIB_FRAMES + " frames held, 0 guest accesses to held frames");
        assertThat(lastLine(check)).isEqualTo("mm:check: OK");
        assertThat(guest.memFreeKb()).as("MemFree")
                .isEqualTo(guest.memFreeAtBootKb() - (GIB_FRAMES + batchPages) * 4);
    }

    /** Each stop waits for its driver's work, which the hook holds until both stops have begun. */
    @Test
    void stoppingBothAtOnceWhileBothInflateAndCompactionRunsGivesBackEveryPage() throws Exception {
        virtioInflatingHeld(GIB_FRAMES);
        VmwBalloons vmw = vmwInflatingHeld(GIB_FRAMES);
        long batchPages = vmw.device("0").orElseThrow().batchPages();
        compactor.start();
        AtomicReference<Exception> failed = new AtomicReference<>();
        List<Thread> stops = new ArrayList<>();
        for (String bsn : List.of("virtio-bundle", "vmware-bundle")) {
            Bundle b = bundle(bsn);
            stops.add(new Thread(() -> {
                try {
                    b.stop();
                } catch (Exception e) {
                    failed.set(e);
                }
            }, "stop " + bsn));
        }

        stops.forEach(Thread::start);
        works.awaitGoing(2);
        works.release();
        for (Thread t : stops) {
            t.join();
        }

        assertThat(failed.get()).isNull();
        compactor.stop();
        assertThat(gogo.run("balloon:list")).contains("no balloon devices");
        String check = gogo.run("mm:check");
        assertThat(check).doesNotContain("hosts:");
        assertThat(lastLine(check)).isEqualTo("mm:check: OK");
        assertThat(guest.memFreeKb()).as("MemFree").isEqualTo(guest.memFreeAtBootKb() - batchPages * 4);
    }

    /** vmware-bundle's device 0, at this size before the test goes on; its state then. */
    private VmwBalloonState vmwDevice(long frames) throws Exception {
        VmwLab lab = new VmwLab(cm, vmwServices.waitForService(VirtioInFelixTest.WAIT_MS));
        lab.create("0", Map.of());
        configs.add(cm.getFactoryConfiguration(VmwBalloons.FACTORY_PID, "0", "?"));
        return lab.inflateTo("0", frames);
    }

    /**
     * vmware-bundle's device 0 asked for frames, its work held in the middle of its first inflation: the
     * pages of its first batch allocated, before comm_lock and the LOCK command.
     */
    private VmwBalloons vmwInflatingHeld(long frames) throws Exception {
        vmwDevice(0);
        VmwBalloons vmw = vmwServices.waitForService(VirtioInFelixTest.WAIT_MS);
        works.hold(VMW_WORK, InjectionPoints.lock(InjectionPoints.LOCK_VMW_COMM)); // its pages allocated, not yet locked
        vmw.setHostTarget("0", frames);
        works.awaitHeld(VMW_WORK);
        return vmw;
    }

    /** virtio-bundle's device 0, its host asking for pages from its probe on. */
    private void virtioDevice(long pages) throws Exception {
        Configuration c = cm.getFactoryConfiguration(VirtioBalloons.FACTORY_PID, "0", "?");
        c.update(new Hashtable<>(Map.of("hostTarget", String.valueOf(pages))));
        configs.add(c);
    }

    /** virtio-bundle's device 0 asking for pages, its update work held in the middle of its first fill_balloon. */
    private VirtioBalloons virtioInflatingHeld(long pages) throws Exception {
        works.hold(VIRTIO_WORK, InjectionPoints.lock(InjectionPoints.LOCK_VB_BALLOON)); // pages allocated, not enqueued
        virtioDevice(pages);
        works.awaitHeld(VIRTIO_WORK);
        return virtioServices.waitForService(VirtioInFelixTest.WAIT_MS);
    }

    private void assertVmwareGoneAndVirtioReaches(VirtioBalloons virtio, long pages, long batchPages)
            throws Exception {
        assertThat(vmwServices.isEmpty()).as("vmware-bundle's service gone").isTrue();
        Await.until("virtio at its target", () -> virtio.device("0").filter(s -> s.numPages() == pages
                && s.actual() == pages && s.hostHeld() == pages).isPresent());
        compactor.stop();
        VirtioBalloonState s = virtio.device("0").orElseThrow();
        assertThat(s.broken()).isFalse();
        assertThat(s.dataLoss()).isZero();
        assertThat(gogo.run("balloon:list")).doesNotContain("vmw-balloon").contains("virtio-balloon 0");
        String check = gogo.run("mm:check");
        assertThat(check).contains("hosts: " + pages + " frames held, 0 guest accesses to held frames");
        assertThat(lastLine(check)).isEqualTo("mm:check: OK");
        assertThat(guest.memFreeKb()).as("MemFree, less the batch page vmballoon_exit()"
                + " never frees").isEqualTo(guest.memFreeAtBootKb() - (pages + batchPages) * 4);
    }

    private Bundle bundle(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst()
                .orElse(null);
    }

    /** mm:compact in a loop on a session of its own, from start() to stop(), which says it ran. */
    static final class Compactor {
        private final CommandProcessor processor;
        private final AtomicBoolean running = new AtomicBoolean();
        private final AtomicInteger runs = new AtomicInteger();
        private final AtomicReference<Exception> failed = new AtomicReference<>();
        private Thread thread;

        Compactor(CommandProcessor processor) {
            this.processor = processor;
        }

        void start() {
            running.set(true);
            thread = new Thread(() -> {
                try (GogoSession session = new GogoSession(processor)) {
                    while (running.get()) {
                        session.run("mm:compact");
                        runs.incrementAndGet();
                    }
                } catch (Exception e) {
                    failed.set(e);
                }
            }, "compaction");
            thread.start();
        }

        /** Stops the loop (after its current run); it must have run at least once, and never failed. */
        void stop() throws Exception {
            if (thread == null) {
                return;
            }
            Await.until("mm:compact running at least once", () -> runs.get() > 0 || failed.get() != null);
            running.set(false);
            thread.join();
            thread = null;
            assertThat(failed.get()).as("mm:compact").isNull();
        }
    }
}
