package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.itest.MmOutput.lastLine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mmlab.mm.MigrationContract;
import org.mmlab.virtio.VirtioBalloonState;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * virtio-balloon in a running lab, driven from the shell as a user drives it (issue 4's acceptance): a
 * 1 GiB balloon on the default 4 GiB guest that compaction migrates while the workload runs, without
 * losing a page or a byte; two devices that never share a page; and bad commands that change nothing.
 * The in-framework run turns the lab's default device off, so each test makes device "0" (and "1")
 * itself, with the default configuration, and deletes it afterwards.
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

    GogoSession gogo;
    VirtioLab lab;
    long memFreeAtBoot;

    @BeforeEach
    void bootAFreshGuestWithDeviceZero() throws Exception {
        gogo = new GogoSession(processor);
        FreshGuest.boot(gogo, MigrationContract.MOVABLE_OPS_2025);
        gogo.run("mm:kcompactd stop");
        memFreeAtBoot = MmOutput.memFreeKb(gogo.run("mm:meminfo"));
        lab = new VirtioLab(cm, virtio);
        lab.create("0");
    }

    @AfterEach
    void deleteTheDevicesAndCheck() throws Exception {
        try {
            gogo.run("mm:workload stop");
            lab.deleteAll();
            assertThat(MmOutput.memFreeKb(gogo.run("mm:meminfo"))).as("MemFree with no balloon")
                    .isEqualTo(memFreeAtBoot);
            assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
        } finally {
            gogo.run("mm:kcompactd start");
            gogo.close();
        }
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
        assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");

        long migratedBefore = MmOutput.counter(gogo.run("mm:vmstat"), "balloon_migrate");
        gogo.run("mm:workload start --threads 2 --seed 7 --processes 32 --pages 2048");
        ExecutorService checker = Executors.newSingleThreadExecutor();
        AtomicBoolean compacting = new AtomicBoolean(true);
        List<String> verdicts = Collections.synchronizedList(new ArrayList<>());
        Future<?> checks = checker.submit(() -> {
            try (GogoSession g = new GogoSession(processor)) {
                while (compacting.get()) {
                    verdicts.add(lastLine(g.run("mm:check")));
                }
            }
            return null;
        });
        List<String> modes = List.of("async", "sync-light", "sync");
        try {
            // each mode once, and on until 3 checks have ended while compaction ran
            int first = verdicts.size();
            for (int i = 0; i < modes.size() || verdicts.size() - first < 3 && !checks.isDone(); i++) {
                gogo.run("mm:compact --mode " + modes.get(i % modes.size()));
            }
        } finally {
            compacting.set(false);
            checks.get();
            checker.shutdown();
        }
        String stopped = gogo.run("mm:workload stop");

        long migrated = MmOutput.counter(gogo.run("mm:vmstat"), "balloon_migrate") - migratedBefore;
        System.out.printf("virtio: 1 GiB balloon beside the workload: %d balloon pages migrated, %d mm:checks%n",
                migrated, verdicts.size());
        assertThat(migrated).as("balloon_migrate").isPositive();
        assertThat(verdicts).as("mm:check while compaction ran").hasSizeGreaterThanOrEqualTo(3)
                .containsOnly("mm:check: OK");
        assertThat(stopped).contains("data loss: 0");
        s = virtio.device("0").orElseThrow();
        assertThat(s.numPages()).isEqualTo(262_144);
        assertThat(s.hostHeld()).isEqualTo(262_144);
        assertThat(s.dataLoss()).isZero();
        assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");

        assertThat(gogo.run("virtio:target 0 0")).contains("device 0: 0 pages");

        s = virtio.device("0").orElseThrow();
        assertThat(s.hostHeld()).isZero();
        assertThat(s.actual()).isZero();
        assertThat(MmOutput.memFreeKb(gogo.run("mm:meminfo"))).isEqualTo(memFreeAtBoot);
        assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
    }

    @Test
    void twoDevicesNeverShareAPageAndCompactionKeepsEachPageInOne() throws Exception {
        lab.create("1");

        gogo.run("virtio:target 0 256M");
        gogo.run("virtio:target 1 128M");
        gogo.run("mm:compact --mode sync");

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
        String check = gogo.run("mm:check");
        assertThat(check).contains("hosts: 98304 frames held").contains("virtio 0: num_pages 65536")
                .contains("virtio 1: num_pages 32768");
        assertThat(lastLine(check)).isEqualTo("mm:check: OK");
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
        assertThat(gogo.run("mm:dmesg")).contains("virtio_balloon virtio0: the host did not acknowledge the inflate"
                + " buffer");
        assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
        gogo.run("virtio:host 0 normal");
    }
}

/** Makes and deletes factory configurations of org.mmlab.virtio.balloon, and waits for their devices. */
final class VirtioLab {
    private final ConfigurationAdmin cm;
    private final VirtioBalloons virtio;
    private final List<Configuration> made = new ArrayList<>();

    VirtioLab(ConfigurationAdmin cm, VirtioBalloons virtio) {
        this.cm = cm;
        this.virtio = virtio;
    }

    /** Factory configuration NAME with every property at its default; waits until the device runs. */
    void create(String name) throws Exception {
        Configuration c = cm.getFactoryConfiguration(VirtioBalloons.FACTORY_PID, name, "?");
        c.update(new Hashtable<>());
        made.add(c);
        Await.until("device " + name + " probed", () -> virtio.device(name).isPresent());
    }

    /** Takes over configuration NAME (made by an earlier lab of this test) to delete it later. */
    void adopt(String name) throws Exception {
        made.add(cm.getFactoryConfiguration(VirtioBalloons.FACTORY_PID, name, "?"));
    }

    /** Deletes what this lab made, and waits until those devices are removed. */
    void deleteAll() throws Exception {
        for (Configuration c : made) {
            String name = c.getPid().substring(c.getPid().lastIndexOf('~') + 1);
            c.delete();
            Await.until("device " + name + " removed", () -> virtio.device(name).isEmpty());
        }
        made.clear();
    }

    static Optional<Long> number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }
}
