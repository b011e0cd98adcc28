package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.Mm;
import org.mmlab.mm.NodeStat;
import org.mmlab.mm.VmEvent;
import org.mmlab.mm.admin.CheckResult;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The balloon infrastructure in a running lab, used the way a balloon driver bundle uses it: this test
 * bundle gets its own Balloons service, makes two devices, inflates them, lets compaction migrate their
 * pages, and deflates; balloon:list and mm:check see every page in exactly one device.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class BalloonInFelixTest {
    private static final long WAIT_MS = 10_000;

    @InjectService(timeout = WAIT_MS)
    static CommandProcessor processor;

    @InjectService(cardinality = 0)
    ServiceAware<Balloons> balloonServices;

    @InjectService(cardinality = 0)
    ServiceAware<MemoryManager> memoryManagers;

    @InjectBundleContext
    BundleContext context;

    @RegisterExtension
    final FreshGuestSetup guest = new FreshGuestSetup();

    GogoSession gogo;
    Balloons balloons;
    MemoryManager mm;
    final List<BalloonDevInfo> devices = new ArrayList<>();

    @BeforeEach
    void theFreshGuestsBalloonInfrastructure() throws Exception {
        gogo = new GogoSession(processor);
        balloons = balloonServices.waitForService(WAIT_MS);
        mm = memoryManagers.waitForService(WAIT_MS);
        assertThat(balloons).as("Balloons of the rebooted guest").isNotNull();
    }

    @AfterEach
    void removeTheDevices() throws Exception {
        try {
            for (BalloonDevInfo b : devices) {
                deflateAll(b);
                balloons.balloonDevinfoRemove(b);
            }
            assertThat(guest.check()).isEqualTo("mm:check: OK");
        } finally {
            gogo.close();
        }
    }

    @Test
    void twoDevicesInflateMigrateUnderCompactionAndEachPageStaysInExactlyOne() throws Exception {
        int others = balloons.devices().size(); // other drivers' devices, if any: empty on a fresh guest
        BalloonDevInfo b0 = device("test balloon 0");
        BalloonDevInfo b1 = device("test balloon 1");
        // every other page the balloons take goes back: a fragmented guest that compaction will tidy
        List<Integer> spare = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            int pfn = balloons.balloonPageAlloc();
            assertThat(pfn).isNotEqualTo(Mm.NO_PAGE);
            if (i % 2 == 0) {
                balloons.balloonPageEnqueue(i % 4 == 0 ? b0 : b1, pfn);
            } else {
                spare.add(pfn);
            }
        }
        spare.forEach(mm::putPage);

        String list = gogo.run("balloon:list");
        assertThat(list).contains("nr_balloon_pages 10000").containsPattern("test balloon 0\\s+5000\\s+0")
                .containsPattern("test balloon 1\\s+5000\\s+0").contains("mmlab-itest-tests");
        assertThat(guest.views().meminfo().get("Balloon")).as("Balloon, kB").isEqualTo(40_000);

        guest.compactor().compactMemory(MigrateMode.SYNC);

        assertThat(mm.vmEvents(VmEvent.BALLOON_MIGRATE)).as("balloon_migrate").isPositive();
        assertThat(b0.nrPages() + b0.isolatedPages()).isEqualTo(5000);
        assertThat(b1.nrPages() + b1.isolatedPages()).isEqualTo(5000);
        CheckResult check = guest.checker().check();
        assertThat(check.summary()).anyMatch(l -> l.contains("balloon: " + (others + 2)
                + " devices, 10000 pages listed + 0 isolated, nr_balloon_pages 10000"));
        assertThat(check.verdict()).isEqualTo("mm:check: OK");
        assertThat(gogo.run("balloon:info 'test balloon 1'")).contains("test balloon 1").contains("on b_dev_info->pages   5000");
    }

    @Test
    void balloonInfoOfAnUnknownDeviceSaysSoAndChangesNothing() throws Exception {
        device("test balloon 0");
        assertThatThrownBy(() -> gogo.run("balloon:info 7")).hasMessageContaining("no balloon device '7'");
        assertThat(gogo.run("balloon:list")).contains("test balloon 0");
    }

    private BalloonDevInfo device(String name) {
        BalloonDevInfo b = balloons.balloonDevinfoInit(name, (dev, newPfn, pfn, mode) -> 0, true);
        devices.add(b);
        return b;
    }

    /** leak_balloon() until empty: dequeue returns NO_PAGE while pages are isolated, so retry. */
    private void deflateAll(BalloonDevInfo b) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (b.nrPages() + b.isolatedPages() > 0 && System.currentTimeMillis() < deadline) {
            int pfn = balloons.balloonPageDequeue(b);
            if (pfn == Mm.NO_PAGE) {
                Thread.sleep(1);
            } else {
                mm.putPage(pfn);
            }
        }
        assertThat(b.nrPages() + b.isolatedPages()).as("%s deflated", b.name()).isZero();
        assertThat(mm.nodePageState(NodeStat.NR_BALLOON_PAGES)).isGreaterThanOrEqualTo(0);
    }
}
