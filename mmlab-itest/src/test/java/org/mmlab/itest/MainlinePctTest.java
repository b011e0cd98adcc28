package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.OomNotifier;
import org.mmlab.mm.admin.GuestConfig;
import org.mmlab.mm.admin.GuestConfiguration;
import org.mmlab.mm.hinting.FreePageReporting;
import org.mmlab.virtio.VirtioBalloons;
import org.mmlab.vmware.VmwBalloons;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.SynchronousConfigurationListener;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Race 8 of the catalogue: the mainline design (2025 contract, policy none: the driver's remove drains
 * its balloon, and that is the protection) under the PCT explorer. Each
 * schedule runs three simulated threads over virtio device 0's balloon: compaction migrating some of
 * its pages, a task under memory pressure whose allocation deflates it through the OOM notifier chain,
 * and the admin thread stopping virtio-bundle. The explorer must find no checker report, and each
 * schedule must have done the work: the driver unloaded and all 64 of the balloon's pages deflated
 * (the race checks both after every run, a run that did not is a failure), with migrations and OOM
 * deflations counted on the "work:" line.
 */
@ExtendWith({ServiceExtension.class, BundleContextExtension.class})
class MainlinePctTest {
    private static final int PAGES = 64;
    /** Replays of each finding, which must all have its outcome. */
    private static final int REPLAYS = 50;
    /** Race 1's design: the reviewed v7 leak path on the 2012 core, no module policy. */
    private static final String RACE_1S_DESIGN = " --contract 2012 --policy none --variant v7-leak";

    @RegisterExtension
    final RaceTestSetup gogo = new RaceTestSetup();

    @InjectService(timeout = 15_000)
    GuestConfig config;

    @InjectService(timeout = 15_000)
    ConfigurationAdmin cm;

    @InjectBundleContext
    BundleContext context;

    @AfterEach
    void theGuestIsTheDefaultOneAgain() {
        GuestConfiguration running = config.running().orElseThrow();
        assertThat(running.memoryBytes()).as("memorySize").isEqualTo(4L << 30);
        assertThat(running.migrationContract()).isEqualTo(MigrationContract.MOVABLE_OPS_2025);
    }

    @Test
    void pctFindsNoReportInTheMainlineDesignAndEveryScheduleUnloadsMigratesAndDeflates() throws Exception {
        int runs = 300;
        String out = gogo.run("lab:explore mainline-under-pct --strategy pct --depth 3 --seed 1 --runs " + runs);

        assertThat(RaceOutput.count(out, "(?m)^run \\d+ \\(pct --seed \\d+ --depth 3 .*\\): clean$")).as(out).isEqualTo(runs);
        assertThat(out).doesNotContain("BUG:").doesNotContain("WARNING:").doesNotContain("failure:")
                .contains("mainline-under-pct under 2025/none/mainline: reproduced in 0 of " + runs + " runs");
        // PCT's step estimate is one more run of the batch
        Work w = Work.of(out);
        assertThat(w.runs).isEqualTo(runs + 1);
        assertThat(w.unloaded).as("virtio-bundle stopped in every schedule").isEqualTo(runs + 1);
        assertThat(w.deflated).as("every balloon page deflated in every schedule").isEqualTo((long) PAGES * (runs + 1));
        assertThat(w.migratedRuns).as("schedules that migrated balloon pages").isGreaterThan(runs / 4);
        assertThat(w.migratedPages).isGreaterThanOrEqualTo(w.migratedRuns);
        assertThat(w.oomRuns).as("schedules whose OOM notifier deflated").isGreaterThan(runs / 4);
    }

    /**
     * A seed decides its schedule: two batches with the same first seed (and PCT's k given, as shards give it)
     * make the same decisions, run for run, and the same traces. Before, virtio's remove_common() slept 1 ms
     * for real between its retries, the others went on meanwhile as fast as the machine let them, and about
     * one run in three differed (the same seed made 7,298 decisions once and 14,373 the next time); the wait
     * for the OOM notifiers' rwsem and for the host's acknowledgement were the machine's too.
     */
    @Test
    void theSameSeedMakesTheSameSchedulesRunForRun(@TempDir Path dir) throws Exception {
        Map<Long, String> first = schedules(dir.resolve("first.jsonl"));
        Map<Long, String> second = schedules(dir.resolve("second.jsonl"));

        assertThat(first).hasSize(40);
        assertThat(second).isEqualTo(first);
        assertThat(first.values()).as("runs whose remove slept waiting for isolated pages")
                .anyMatch(r -> Long.parseLong(r.substring(0, r.indexOf(' '))) > 7000);
    }

    /** Each run's "decisions traceHash" by its index, from a 40-run batch's records. */
    private Map<Long, String> schedules(Path file) throws Exception {
        gogo.run("lab:explore mainline-under-pct --seed 1 --runs 40 --steps 103 --json " + file);
        Pattern run = Pattern.compile("\"index\":(\\d+),.*\"decisions\":(\\d+),.*\"traceHash\":\"(\\w+)\"");
        Map<Long, String> runs = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            Matcher m = run.matcher(line);
            if (line.startsWith("{\"type\":\"run\"") && m.find()) {
                runs.put(Long.parseLong(m.group(1)), m.group(2) + " " + m.group(3));
            }
        }
        return runs;
    }

    @Test
    void depthTwoFindsNothingEither() throws Exception {
        String out = gogo.run("lab:explore mainline-under-pct --depth 2 --seed 1001 --runs 100");

        assertThat(RaceOutput.count(out, "(?m)^run \\d+ .*: clean$")).as(out).isEqualTo(100);
        assertThat(out).doesNotContain("failure:").contains("reproduced in 0 of 100 runs");
        assertThat(Work.of(out).unloaded).isEqualTo(101);
    }

    /**
     * The explorer's teeth: the same three threads under race 1's design (2012, the reviewed v7 leak
     * path, no protection) produce reports within 100 schedules, replayable from their traces: the first
     * of three findings that replays does. Before the scheduler settled the threads a lock's release woke
     * before each decision, once under load none of three did.
     */
    @Test
    void theSameExplorationFindsRace1sDesignOutAndItsTracesReplay() throws Exception {
        String out = gogo.run("lab:explore mainline-under-pct --seed 1 --runs 100" + RACE_1S_DESIGN);

        int found = RaceOutput.count(out, "(?m)^run \\d+ .*: REPRODUCED$");
        assertThat(found).as(out).isPositive();
        assertThat(RaceOutput.count(out, "(?m)^  replay: lab:replay mainline-under-pct '")).isEqualTo(found);
        assertThat(out).containsPattern("(?m)^  (BUG: KASAN: use-after-unload in |BUG: Bad page state |list_del corruption)")
                .contains("reproduced in " + found + " of 100 runs");
        Matcher replay = Pattern.compile("replay: lab:replay mainline-under-pct '([^']+)'").matcher(out);
        int replayed = 0;
        for (int tries = 0; tries < 3 && replayed == 0 && replay.find(); tries++) {
            String again = gogo.run("lab:replay mainline-under-pct '" + replay.group(1) + "'" + RACE_1S_DESIGN);
            replayed += again.contains("reproduced in 1 of 1 runs") ? 1 : 0;
        }
        assertThat(replayed).as(out).isEqualTo(1);
    }

    /**
     * What a replay should be: each of the first three findings, replayed 50 times, has its outcome every time
     * (reports but their PIDs, where it left the trace, decisions). The scheduler's part holds since a thread back
     * from a block is WAITING at its point as soon as it enters the scheduler (before, about 1 replay in 150
     * diverged: "replay diverged at step 199: the trace chooses compaction, which is not waiting"); the setup's
     * since a batch waits for Configuration Admin's event thread after a reboot and after device 0's new
     * configuration (before, about 1 replay in 4,000 started with device 0 taken away or its balloon emptied outside
     * the run: "replay diverged at step 3: the trace chooses admin, which is not waiting"; see
     * theRunStartsOnlyOnceConfigurationAdminsThreadHasActivatedDevice0 and docs/race-lab.md, "Controlled schedules").
     */
    @Test
    void eachFindingOfRace1sDesignReplaysWithItsOutcomeEveryTime() throws Exception {
        String out = gogo.run("lab:explore mainline-under-pct --seed 1 --runs 100" + RACE_1S_DESIGN);

        Matcher replay = Pattern.compile("replay: lab:replay mainline-under-pct '([^']+)'").matcher(out);
        int finding = 0;
        for (; finding < 3 && replay.find(); finding++) {
            String again = gogo.run("lab:replay mainline-under-pct --runs " + REPLAYS + " '" + replay.group(1) + "'"
                    + RACE_1S_DESIGN);
            assertThat(again).as(again).contains("reproduced in " + REPLAYS + " of " + REPLAYS + " runs")
                    .contains("replayed " + REPLAYS + " times: the same outcome every time")
                    .doesNotContain("replay diverged");
        }
        assertThat(finding).as("findings replayed, in%n%s", out).isEqualTo(3);
    }

    /**
     * A run starts only once Configuration Admin's event thread is done with device 0. The batch gives device 0
     * its target by a configuration change, and the probe (which keeps the probed() promise the batch awaits)
     * returns halfway through SCR's activation of the device on that thread: SCR then binds the device's dynamic
     * references, the free page reporting provider among them, which here holds that thread until the test lets
     * it go. Before, the run went on meanwhile (its task ran out of memory), and a stop of virtio-bundle in that
     * moment made SCR give the activation up and take device 0 away: about 1 replay in 4,000 of race 1's design
     * started with device 0's balloon emptied. The batch runs on the race's own guest, which it then does not
     * reboot: device 0's new target is the only change of the batch that Configuration Admin's thread carries.
     */
    @Test
    void theRunStartsOnlyOnceConfigurationAdminsThreadHasActivatedDevice0() throws Exception {
        onTheRacesGuest(this::raceWithDevice0sActivationHeld);
    }

    private void raceWithDevice0sActivationHeld() throws Exception {
        // held by the test: virtio's registry is a delayed component, gone when nobody holds it
        ServiceTracker<VirtioBalloons, VirtioBalloons> virtio = new ServiceTracker<>(context, VirtioBalloons.class,
                null);
        virtio.open();
        HeldReportingRegistration reporting = new HeldReportingRegistration();
        BlockingQueue<String> first = new LinkedBlockingQueue<>();
        MemoryManager mm = Services.get(MemoryManager.class);
        OomNotifier outOfMemory = () -> {
            first.add("the run's task ran out of memory");
            return 0;
        };
        ServiceRegistration<FreePageReporting> heldProvider = null;
        ServiceRegistration<SynchronousConfigurationListener> barriers = null;
        try {
            new VirtioLab(cm, virtio.waitForService(Await.WAIT_MS)).create("0", Map.of("offeredFeatures",
                    "MUST_TELL_HOST,STATS_VQ,DEFLATE_ON_OOM,FREE_PAGE_HINT,PAGE_POISON,REPORTING")); // the lab's
            ConfigurationEvents.drain(); // this device's own activation done: the registration held is the race's
            heldProvider = context.registerService(FreePageReporting.class, reporting,
                    new Hashtable<>(Map.of(Constants.SERVICE_RANKING, 1)));
            // the batch's barrier configuration (race-lab's ConfigEventQueue.PID + ".N"), seen as it is written
            barriers = context.registerService(SynchronousConfigurationListener.class, e -> {
                if (e.getPid().startsWith("org.mmlab.lab.barrier.")) {
                    first.add("the batch waits for Configuration Admin's thread");
                }
            }, null);
            mm.registerOomNotifier(outOfMemory);
            reporting.arm();
            CompletableFuture<String> race = CompletableFuture.supplyAsync(() -> {
                try {
                    return gogo.run("lab:race mainline-under-pct --runs 1");
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            boolean held;
            String firstAfter;
            try {
                held = reporting.awaitHeld();
                firstAfter = first.poll(Await.WAIT_MS, TimeUnit.MILLISECONDS);
            } finally {
                reporting.release();
            }
            String out = race.get(Await.WAIT_MS, TimeUnit.MILLISECONDS);

            assertThat(held).as("device 0's activation held on Configuration Admin's thread").isTrue();
            assertThat(firstAfter).as(out).isEqualTo("the batch waits for Configuration Admin's thread");
            RaceOutput.assertSurvives(out, 1);
            assertThat(cm.listConfigurations("(service.pid=org.mmlab.lab.barrier.*)")).as("barriers left behind").isNull();
        } finally {
            mm.unregisterOomNotifier(outOfMemory);
            for (ServiceRegistration<?> r : new ServiceRegistration<?>[] {heldProvider, barriers}) {
                if (r != null) {
                    r.unregister(); // later tests' devices bind aeration-bundle's provider again
                }
            }
            VirtioLab after = new VirtioLab(cm, virtio.waitForService(Await.WAIT_MS));
            after.adopt("0");
            after.deleteAll();
            virtio.close();
        }
    }

    /**
     * The batch runs without VMware's driver and loads it again at its end. Its worker resets the protocol after
     * every probe (so after each reboot of a batch) and allocates the batch page then, on its own time: while the
     * run's task held every free page, that allocation reached the OOM notifiers outside the run, which deflated
     * device 0 there (replays of race 1's design under race 8: "replay diverged at step 6: the trace chooses
     * deflate, which is not waiting").
     */
    @Test
    void theBatchRunsWithoutVmwaresDriverAndLoadsItAgain() throws Exception {
        onTheRacesGuest(() -> {
            Bundle vmware = Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().equals("vmware-bundle"))
                    .findFirst().orElseThrow();
            ServiceTracker<VmwBalloons, VmwBalloons> vmw = new ServiceTracker<>(context, VmwBalloons.class, null);
            vmw.open();
            MemoryManager mm = Services.get(MemoryManager.class);
            List<Integer> whenOutOfMemory = new CopyOnWriteArrayList<>();
            OomNotifier outOfMemory = () -> {
                whenOutOfMemory.add(vmware.getState());
                return 0;
            };
            try {
                new VmwLab(cm, vmw.waitForService(Await.WAIT_MS)).create("0", Map.of());
                mm.registerOomNotifier(outOfMemory);

                RaceOutput.assertSurvives(gogo.run("lab:race mainline-under-pct --runs 1"), 1);

                assertThat(whenOutOfMemory).as("vmware-bundle's state when the run's task ran out of memory")
                        .containsExactly(Bundle.RESOLVED);
                assertThat(vmware.getState()).as("vmware-bundle after the batch").isEqualTo(Bundle.ACTIVE);
                VmwBalloons back = vmw.waitForService(Await.WAIT_MS);
                Await.until("VMware balloon 0 probed again", () -> back.device("0").isPresent());
            } finally {
                mm.unregisterOomNotifier(outOfMemory);
                VmwLab after = new VmwLab(cm, vmw.waitForService(Await.WAIT_MS));
                after.adopt("0");
                after.deleteAll();
                vmw.close();
            }
        });
    }

    /** A test on the race's own guest (2025, 128 MiB), which a batch of race 8 then does not reboot. */
    private void onTheRacesGuest(Body test) throws Exception {
        long userBytes = config.running().orElseThrow().memoryBytes();
        Await.value(config.update(Map.of("memorySize", "128M")), "the race's 128 MiB guest");
        try {
            test.run();
        } finally {
            Await.value(config.update(Map.of("memorySize", Long.toString(userBytes))), "the guest's memory back");
        }
    }

    /**
     * lab:race runs race 1's window on mainline: the unload begins (GOING) while compaction is inside
     * the driver's migratepage and the OOM notifier has deflated every other page; the remove waits for
     * the isolated page, so the script's order happens and the run is clean.
     */
    @Test
    void race1sWindowOnMainlineHappensAndIsClean() throws Exception {
        String out = gogo.run("lab:race mainline-under-pct --runs 5");

        RaceOutput.assertSurvives(out, 5);
        Work w = Work.of(out);
        assertThat(w.oomRuns).as("the script deflates through the OOM notifier").isEqualTo(5);
        assertThat(w.migratedRuns).as("and migrates").isEqualTo(5);
    }

    /** A test's body. */
    private interface Body {
        void run() throws Exception;
    }

    /** The "work:" line lab:explore prints for race 8. */
    record Work(int runs, int unloaded, int migratedRuns, long migratedPages, int oomRuns, long deflated) {
        private static final Pattern LINE = Pattern.compile("work: (\\d+) runs: virtio-bundle unloaded in (\\d+),"
                + " balloon pages migrated in (\\d+) \\((\\d+) pages\\), deflated by the OOM notifier in (\\d+),"
                + " (\\d+) pages deflated in all");

        static Work of(String out) {
            Matcher m = LINE.matcher(out);
            assertThat(m.find()).as("a work: line in%n%s", out).isTrue();
            return new Work(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Long.parseLong(m.group(4)), Integer.parseInt(m.group(5)), Long.parseLong(m.group(6)));
        }
    }
}
