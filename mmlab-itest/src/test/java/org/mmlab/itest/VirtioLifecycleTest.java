package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.itest.MmOutput.lastLine;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mmlab.mm.MigrationContract;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Unloading the driver module with an inflated balloon while compaction runs (the mainline contract,
 * 2025, the default): virtballoon_remove() drains the balloon, waiting for the pages compaction has
 * isolated, before the bundle is gone; every page is the guest's again, and loading it again works.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class VirtioLifecycleTest {
    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    CommandProcessor processor;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    ConfigurationAdmin cm;

    @InjectService(cardinality = 0)
    ServiceAware<VirtioBalloons> virtioServices;

    GogoSession gogo;
    Bundle virtioBundle;
    VirtioLab lab;
    long memFreeAtBoot;

    @BeforeEach
    void bootAFreshGuestWithDeviceZero() throws Exception {
        gogo = new GogoSession(processor);
        FreshGuest.boot(gogo, MigrationContract.MOVABLE_OPS_2025);
        gogo.run("mm:kcompactd stop");
        memFreeAtBoot = MmOutput.memFreeKb(gogo.run("mm:meminfo"));
        virtioBundle = Arrays.stream(context.getBundles()).filter(b -> "virtio-bundle".equals(b.getSymbolicName()))
                .findFirst().orElseThrow();
        lab = new VirtioLab(cm, virtioServices.waitForService(VirtioInFelixTest.WAIT_MS));
        lab.create("0");
    }

    @AfterEach
    void leaveVirtioRunningWithoutDevices() throws Exception {
        try {
            if (virtioBundle.getState() != Bundle.ACTIVE) {
                virtioBundle.start();
            }
            lab = new VirtioLab(cm, virtioServices.waitForService(VirtioInFelixTest.WAIT_MS));
            lab.adopt("0");
            lab.deleteAll();
            assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
        } finally {
            gogo.run("mm:kcompactd start");
            gogo.close();
        }
    }

    @Test
    void stoppingVirtioWhileCompactingReturnsEveryPageBeforeTheBundleIsGoneAndStartingItAgainWorks()
            throws Exception {
        assertThat(gogo.run("virtio:target 0 512M")).contains("131072 pages");
        ExecutorService compactor = Executors.newSingleThreadExecutor();
        AtomicBoolean running = new AtomicBoolean(true);
        Future<Integer> compactions = compactor.submit(() -> {
            int n = 0;
            try (GogoSession g = new GogoSession(processor)) {
                while (running.get()) {
                    g.run("mm:compact --mode sync");
                    n++;
                }
            }
            return n;
        });
        Thread.sleep(200); // let compaction isolate balloon pages

        virtioBundle.stop();

        // the bundle is stopped: every page came back while it stopped, with compaction still running
        assertThat(MmOutput.counter(gogo.run("mm:vmstat"), "nr_balloon_pages")).isZero();
        assertThat(gogo.run("balloon:list")).doesNotContain("virtio-balloon 0");
        String check = gogo.run("mm:check");
        assertThat(check).as("no frame held by a host").doesNotContain("hosts:");
        assertThat(lastLine(check)).isEqualTo("mm:check: OK");
        running.set(false);
        int n = compactions.get();
        compactor.shutdown();
        // compaction's free scanner holds free pages while it runs: MemFree is exact once it stopped
        assertThat(MmOutput.memFreeKb(gogo.run("mm:meminfo"))).as("MemFree").isEqualTo(memFreeAtBoot);
        System.out.printf("virtio: stopped with a 512 MiB balloon during %d compactions%n", n);

        virtioBundle.start();
        VirtioBalloons virtio = virtioServices.waitForService(VirtioInFelixTest.WAIT_MS);
        Await.until("device 0 probed again", () -> virtio.device("0").isPresent());

        assertThat(gogo.run("virtio:target 0 64M")).contains("16384 pages");
        assertThat(virtio.device("0").orElseThrow().hostHeld()).isEqualTo(16_384);
        assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
    }
}
