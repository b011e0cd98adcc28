package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.VmEvent;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.virtio.VirtioBalloonState;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * virtio-balloon in a running lab, its virtio: commands typed as a user types them (issue 4's acceptance): a
 * 1 GiB balloon on the default 4 GiB guest that compaction migrates while the workload runs, without
 * losing a page or a byte; two devices that never share a page; and bad commands that change nothing.
 * The in-framework run turns the lab's default device off, so each test makes device "0" (and "1")
 * itself, with the default configuration, and deletes it afterwards. The guest's side is read and
 * set through mm-core's services.
 */
@ExtendWith(ServiceExtension.class)
class VirtioInFelixTest {
    static final long WAIT_MS = 30_000;

    @InjectService(timeout = WAIT_MS)
    CommandProcessor processor;

    @InjectService(timeout = WAIT_MS)
    ConfigurationAdmin cm;

    @InjectService(timeout = WAIT_MS)
    VirtioBalloons virtio;

    @InjectService(cardinality = 0)
    ServiceAware<MemoryManager> memoryManagers;

    @RegisterExtension
    final FreshGuestSetup guest = new FreshGuestSetup();

    GogoSession gogo;
    VirtioLab lab;

    @BeforeEach
    void deviceZeroOnTheFreshGuest() throws Exception {
        gogo = new GogoSession(processor);
        lab = new VirtioLab(cm, virtio);
        lab.create("0");
    }

    @AfterEach
    void deleteTheDevicesAndCheck() throws Exception {
        try {
            guest.workload().stop();
            lab.deleteAll();
            assertThat(guest.memFreeKb()).as("MemFree with no balloon").isEqualTo(guest.memFreeAtBootKb());
            assertThat(guest.check()).isEqualTo("mm:check: OK");
        } finally {
            gogo.close();
        }
    }

    /** The running guest's event count, as /proc/vmstat prints it. */
    private long vmEvents(VmEvent item) throws InterruptedException {
        return memoryManagers.waitForService(WAIT_MS).vmEvents(item);
    }

    @Test
    void aOneGigabyteBalloonMigratesUnderCompactionBesideTheWorkloadAndLosesNothing() throws Exception {
        String out = gogo.run("virtio:target 0 1G");

        assertThat(out).contains("device 0: 262144 pages (1 GiB) in the balloon, host holds 262144");
        VirtioBalloonState s = virtio.device("0").orElseThrow();
        assertThat(s.numPages()).isEqualTo(262_144);
        assertThat(s.hostHeld()).isEqualTo(262_144);
        assertThat(s.actual()).isEqualTo(262_144);
        assertThat(gogo.run("virtio:host 0")).containsPattern("held\\s+262144 frames");
        assertThat(guest.check()).isEqualTo("mm:check: OK");

        long migratedBefore = vmEvents(VmEvent.BALLOON_MIGRATE);
        guest.workload().start(7, 32, 2048, 2);
        ExecutorService checking = Executors.newSingleThreadExecutor();
        AtomicBoolean compacting = new AtomicBoolean(true);
        List<String> verdicts = Collections.synchronizedList(new ArrayList<>());
        Future<?> checks = checking.submit(() -> {
            while (compacting.get()) {
                verdicts.add(guest.check());
            }
        });
        List<MigrateMode> modes = List.of(MigrateMode.ASYNC, MigrateMode.SYNC_LIGHT, MigrateMode.SYNC);
        try {
            // each mode once, and on until 3 checks have ended while compaction ran
            int first = verdicts.size();
            for (int i = 0; i < modes.size() || verdicts.size() - first < 3 && !checks.isDone(); i++) {
                guest.compactor().compactMemory(modes.get(i % modes.size()));
            }
        } finally {
            compacting.set(false);
            checks.get();
            checking.shutdown();
        }
        WorkloadControl.Status stopped = guest.workload().stop();

        long migrated = vmEvents(VmEvent.BALLOON_MIGRATE) - migratedBefore;
        System.out.printf("virtio: 1 GiB balloon beside the workload: %d balloon pages migrated, %d mm:checks%n",
                migrated, verdicts.size());
        assertThat(migrated).as("balloon_migrate").isPositive();
        assertThat(verdicts).as("mm:check while compaction ran").hasSizeGreaterThanOrEqualTo(3)
                .containsOnly("mm:check: OK");
        assertThat(stopped.dataLoss()).as("data loss").isZero();
        s = virtio.device("0").orElseThrow();
        assertThat(s.numPages()).isEqualTo(262_144);
        assertThat(s.hostHeld()).isEqualTo(262_144);
        assertThat(s.dataLoss()).isZero();
        assertThat(guest.check()).isEqualTo("mm:check: OK");

        assertThat(gogo.run("virtio:target 0 0")).contains("device 0: 0 pages");

        s = virtio.device("0").orElseThrow();
        assertThat(s.hostHeld()).isZero();
        assertThat(s.actual()).isZero();
        assertThat(guest.memFreeKb()).isEqualTo(guest.memFreeAtBootKb());
        assertThat(guest.check()).isEqualTo("mm:check: OK");
    }

    @Test
    void twoDevicesNeverShareAPageAndCompactionKeepsEachPageInOne() throws Exception {
        lab.create("1");

        gogo.run("virtio:target 0 256M");
        gogo.run("virtio:target 1 128M");
        guest.compactor().compactMemory(MigrateMode.SYNC);

        String list = gogo.run("balloon:list");
        assertThat(list).contains("nr_balloon_pages 98304").containsPattern("virtio-balloon 0\\s+\\d+")
                .containsPattern("virtio-balloon 1\\s+\\d+");
        VirtioBalloonState d0 = virtio.device("0").orElseThrow();
        VirtioBalloonState d1 = virtio.device("1").orElseThrow();
        assertThat(d0.numPages()).isEqualTo(65_536);
        assertThat(d0.hostHeld()).isEqualTo(65_536);
        assertThat(d1.numPages()).isEqualTo(32_768);
        assertThat(d1.hostHeld()).isEqualTo(32_768);
        assertThat(d1.dev()).isEqualTo("virtio1");
        for (String dev : List.of("0", "1")) {
            assertThat(gogo.run("virtio:host " + dev)).containsPattern("odd buffers\\s+0 deflates of frames not held,"
                    + " 0 inflates of frames already held");
        }
        CheckResult check = guest.checker().check();
        assertThat(check.summary()).anyMatch(l -> l.startsWith("hosts: 98304 frames held"))
                .anyMatch(l -> l.startsWith("virtio 0: num_pages 65536"))
                .anyMatch(l -> l.startsWith("virtio 1: num_pages 32768"));
        assertThat(check.verdict()).isEqualTo("mm:check: OK");
        assertThat(gogo.run("virtio:devices")).containsPattern("(?m)^0\\s+virtio0\\s+65536\\s+65536\\s+65536\\s+65536")
                .containsPattern("(?m)^1\\s+virtio1\\s+32768\\s+32768\\s+32768\\s+32768");
    }

    @Test
    void badCommandsSayWhatIsWrongAndChangeNothing() throws Exception {
        gogo.run("virtio:target 0 100M");
        String before = gogo.run("virtio:devices");

        assertThatThrownBy(() -> gogo.run("virtio:target 9 1G")).hasMessageContaining("no virtio-balloon device '9'");
        assertThatThrownBy(() -> gogo.run("virtio:target 0 lots")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> gogo.run("virtio:target 0 8G")).hasMessageContaining("more than the guest's memory");
        assertThatThrownBy(() -> gogo.run("virtio:host 0 grumpy")).hasMessageContaining("not a host behaviour");
        assertThatThrownBy(() -> gogo.run("virtio:hint 0 later")).hasMessageContaining("not a hint action");
        assertThatThrownBy(() -> gogo.run("virtio:stats 7")).hasMessageContaining("no virtio-balloon device '7'");

        assertThat(gogo.run("virtio:devices")).isEqualTo(before);
        assertThat(gogo.run("virtio:features 0")).contains("negotiated  MUST_TELL_HOST,STATS_VQ,DEFLATE_ON_OOM,"
                + "FREE_PAGE_HINT")
                .contains("REPORTING       not offered");
        String stats = gogo.run("virtio:stats 0");
        assertThat(stats).contains("stats (fresh):").containsPattern("(?m)^ 5 total-memory\\s+\\d+$")
                .containsPattern("(?m)^15 direct-reclaims\\s+0  \\(the lab has no source: no LRU reclaim");
    }

    @Test
    void aSlowHostSlowsTheBalloonAndASilentOneBreaksTheDeviceWithoutHangingTheShell() throws Exception {
        gogo.run("virtio:host 0 ack-delay 2");
        assertThat(gogo.run("virtio:target 0 4M")).contains("device 0: 1024 pages");

        gogo.run("virtio:host 0 no-ack");
        long t0 = System.currentTimeMillis();
        assertThatThrownBy(() -> gogo.run("virtio:target 0 8M")).hasMessageContaining("the device is broken");

        assertThat(System.currentTimeMillis() - t0).isLessThan(WAIT_MS);
        assertThat(guest.views().dmesg()).anyMatch(l -> l.contains("virtio_balloon virtio0: the host did not acknowledge the"
                + " inflate buffer"));
        assertThat(guest.check()).isEqualTo("mm:check: OK");
        gogo.run("virtio:host 0 normal");
    }
}
