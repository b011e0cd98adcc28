package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmlab.aeration.Aeration;
import org.mmlab.lab.LabRuns;
import org.mmlab.virtio.VirtioBalloons;
import org.mmlab.vmware.VmwBalloons;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * lab:storm, as a user runs it: a short seeded storm of driver loads and unloads (virtio-bundle and
 * vmware-bundle, each with its device 0, and aeration-bundle) under the workload, compaction, runs out of
 * memory, hinting's work and the hosts' moving targets.
 * Under the safe setups it ends with nothing lost, and the test counts, with its own listeners, the
 * bundle stops, uninstalls, updates and configuration deletions the storm says it did, with update and
 * config together too (an update while Configuration Admin probed a recreated device orphaned the device
 * under every setup until the drivers' registries removed it at the stop). Under 2012 without protection
 * and with the reviewed v7
 * leak path (race 1's setup), the storm finds the leak path taking a page migration holds on its own,
 * and the replay it prints fails again.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class StormTest {
    static final String SUMMARY = "(?m)^storm: (\\d+) cycles, (\\d+) pages lost, (\\d+) content mismatches, (\\d+)"
            + " reports$";
    static final Pattern OPERATIONS = Pattern.compile("(?m)^operations: (.*); bundle events:");
    static final Pattern REPORTED_BACK = Pattern.compile("hinting kicks \\((\\d+) reported frames used again\\)");
    static final Pattern REPLAY = Pattern.compile("(?m)^  replay: (lab:storm --replay .*)$");
    /**
     * The families of the storms here. Not hyperv and xen: their remove gives nothing back (balloon_remove()
     * leaves the pages with the host, as the kernel's does), so every unload with pages ballooned loses them,
     * under every setup, and the storm says so (docs/race-lab.md).
     */
    static final String FAMILIES = "--drivers virtio,vmware,aeration";
    static final List<String> DRIVERS = List.of("virtio-bundle", "vmware-bundle", "aeration-bundle");
    /** The balloon drivers' factories, each with a device 0 for the storm. */
    static final List<String> FACTORIES = List.of(VirtioBalloons.FACTORY_PID, VmwBalloons.FACTORY_PID);
    /**
     * Bounds a storm that never ends (a deadlock: the test fails instead of hanging the build); not a
     * timing claim, the storms here take a minute or two on a loaded machine.
     */
    static final long STORM_MS = 15 * 60_000;

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = Await.WAIT_MS)
    CommandProcessor processor;

    @InjectService(timeout = Await.WAIT_MS)
    ConfigurationAdmin cm;

    GogoSession gogo;
    /** Where the storms here write their records. */
    Path records;
    /** Events of the drivers' bundles, by type, as this test's own listener sees them. */
    final Map<Integer, AtomicLong> bundleEvents = new ConcurrentHashMap<>();
    final AtomicLong configsDeleted = new AtomicLong();
    final SynchronousBundleListener bundles = e -> {
        if (DRIVERS.contains(e.getBundle().getSymbolicName())) {
            bundleEvents.computeIfAbsent(e.getType(), k -> new AtomicLong()).incrementAndGet();
        }
    };
    ServiceRegistration<ConfigurationListener> configs;

    @BeforeEach
    void everyDriverWithDevice0AndListenersOn() throws Exception {
        gogo = new GogoSession(processor);
        records = Files.createTempDirectory("storm-records");
        GogoSession.awaitCommand(context, "lab", "storm");
        for (String pid : FACTORIES) {
            cm.getFactoryConfiguration(pid, "0", "?").update(new Hashtable<>());
        }
        // hinting's design as the lab has it by default, so that the storm's config op on aeration has a
        // configuration to delete and recreate
        cm.getConfiguration(Aeration.PID, "?").update(new Hashtable<>(Map.of("design", "off")));
        Await.until("both devices 0", () -> Services.get(VirtioBalloons.class).device("0").isPresent()
                && Services.get(VmwBalloons.class).device("0").isPresent());
        context.addBundleListener(bundles);
        configs = context.registerService(ConfigurationListener.class, e -> {
            if (e.getType() == ConfigurationEvent.CM_DELETED && (e.getPid().equals(Aeration.PID)
                    || e.getFactoryPid() != null && e.getFactoryPid().startsWith("org.mmlab."))) {
                configsDeleted.incrementAndGet();
            }
        }, null);
    }

    @AfterEach
    void devicesGoneAndTheGuestChecks() throws Exception {
        try {
            configs.unregister();
            context.removeBundleListener(bundles);
            Configuration[] hinting = cm.listConfigurations("(service.pid=" + Aeration.PID + ")");
            if (hinting != null) {
                hinting[0].delete();
            }
            for (String pid : FACTORIES) {
                Configuration[] cs = cm.listConfigurations("(service.factoryPid=" + pid + ")");
                for (Configuration c : cs == null ? new Configuration[0] : cs) {
                    c.delete();
                }
            }
            Await.until("no device left", () -> Services.get(VirtioBalloons.class).devices().isEmpty()
                    && Services.get(VmwBalloons.class).devices().isEmpty());
            assertThat(MmOutput.lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
        } finally {
            gogo.close();
            try (Stream<Path> files = Files.walk(records)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--contract 2025 --policy none --ops stop,uninstall,update",
        "--contract 2012 --policy module-ref --ops stop,uninstall,update",
        "--contract 2012 --policy osgi-drain --ops stop,uninstall,update", "--contract 2025 --policy none"})
    void aShortStormUnderASafeSetupLosesNothingAndReallyLoadsAndUnloadsTheDrivers(String setup) throws Exception {
        String out = storm("lab:storm --cycles 60 --check-every 20 --seed 11 " + FAMILIES + " " + setup);

        assertThat(out).containsPattern(SUMMARY).contains("storm: 60 cycles, 0 pages lost, 0 content mismatches,"
                + " 0 reports");
        assertThat(out).contains("storm: cycle 20 of 60", "storm: cycle 40 of 60", "storm: cycle 60 of 60");
        Map<String, Long> ops = operations(out);
        // one operation a cycle, two in a cycle that runs two families at once
        assertThat(ops.values().stream().mapToLong(Long::longValue).sum()).as("operations").isBetween(60L, 120L);
        long unloads = ops.getOrDefault("stop", 0L) + ops.getOrDefault("uninstall", 0L)
                + ops.getOrDefault("update", 0L);
        assertThat(events(BundleEvent.STOPPED)).as("the drivers' bundles stopped").isEqualTo(unloads);
        assertThat(events(BundleEvent.STARTED)).as("and started again").isEqualTo(unloads);
        assertThat(events(BundleEvent.UNINSTALLED)).as("uninstalled").isEqualTo(ops.getOrDefault("uninstall", 0L));
        assertThat(events(BundleEvent.UPDATED)).as("updated").isEqualTo(ops.getOrDefault("update", 0L));
        assertThat(configsDeleted.get()).as("device configurations deleted").isEqualTo(ops.getOrDefault("config", 0L));
        // posted to the race lab's board of runs, which the lab's page shows, as lab:race and lab:explore are
        List<LabRuns.Run> runs = Services.get(LabRuns.class).runs();
        LabRuns.Run posted = runs.get(runs.size() - 1);
        assertThat(posted.what()).startsWith("lab:storm --cycles 60 --drivers virtio,vmware,aeration ")
                .contains("--seed 11");
        assertThat(posted.planned()).isEqualTo(60);
        assertThat(posted.done()).isEqualTo(60);
        assertThat(posted.running()).isFalse();
        assertThat(posted.latest()).isEqualTo("storm: 60 cycles, 0 pages lost, 0 content mismatches, 0 reports");
    }

    @Test
    void theStormLeavesEveryDeviceAtTheTargetItFoundAndTheDriversGetThere() throws Exception {
        // virtio's device 0 asks for 96 pages at each probe (its configuration), vmware's for none
        cm.getFactoryConfiguration(VirtioBalloons.FACTORY_PID, "0", "?").update(new Hashtable<>(Map.of("hostTarget",
                "96")));
        Await.until("virtio's device 0 asking for 96 pages",
                () -> Services.get(VirtioBalloons.class).device("0").map(d -> d.hostTarget() == 96).orElse(false));

        String out = storm("lab:storm --cycles 10 --check-every 10 --seed 11 " + FAMILIES + " --ops stop");

        Matcher moves = Pattern.compile("(\\d+) target moves").matcher(out);
        assertThat(moves.find()).isTrue();
        assertThat(Long.parseLong(moves.group(1))).as("the hosts moved the targets during the storm").isPositive();
        // before, each balloon kept the storm's last random target (vmw-balloon 0 held 84 pages after one)
        assertThat(Services.get(VirtioBalloons.class).device("0").orElseThrow().hostTarget()).isEqualTo(96);
        assertThat(Services.get(VmwBalloons.class).device("0").orElseThrow().hostTarget()).isZero();
        Await.until("both balloons back at the targets found", () -> Services.get(VirtioBalloons.class).device("0")
                .orElseThrow().numPages() == 96 && Services.get(VmwBalloons.class).device("0").orElseThrow().size() == 0);
    }

    /**
     * Free page reporting in force (virtio's device 0 reports): compaction migrating a user page into a free
     * page whose frame QEMU had discarded as reported lost the page's data (the copy did not fault the frame
     * in, the user's next load did, over it): 5,044 mismatched reads by cycle 100, seed 1, with no report.
     * The storm must end clean, reports included: its reporting queue's WARN_ON_ONCE(err) came from three bugs of
     * the lab, fixed since (docs/race-lab.md, "With free page reporting on").
     */
    @Test
    void withFreePageReportingTheWorkloadKeepsItsData() throws Exception {
        cm.getFactoryConfiguration(VirtioBalloons.FACTORY_PID, "0", "?").update(new Hashtable<>(Map.of(
                "offeredFeatures", "MUST_TELL_HOST,STATS_VQ,DEFLATE_ON_OOM,FREE_PAGE_HINT,PAGE_POISON,REPORTING")));
        gogo.run("aerate:design reporting");
        Await.until("virtio's device 0 reporting free pages",
                () -> "virtio-balloon 0".equals(Services.get(Aeration.class).status().device()));

        String out = storm("lab:storm --cycles 60 --check-every 20 --seed 1 " + FAMILIES + " --contract 2025 --policy none");

        Matcher summary = Pattern.compile(SUMMARY).matcher(out);
        assertThat(summary.find()).as("a summary in %s", out).isTrue();
        assertThat(summary.group(2)).as("pages lost in %s", out).isEqualTo("0");
        assertThat(summary.group(3)).as("content mismatches in %s", out).isEqualTo("0");
        assertThat(summary.group(4)).as("reports in %s", out).isEqualTo("0");
        assertThat(out).doesNotContain("workload data loss");
        Matcher back = REPORTED_BACK.matcher(out);
        assertThat(back.find()).as("the background line in %s", out).isTrue();
        assertThat(Long.parseLong(back.group(1))).as("reported frames the host discarded and the guest used again"
                + " in %s", out).isPositive();
    }

    @Test
    void under2012WithoutProtectionAndTheV7LeakPathTheStormFindsTheLeakPathsRaceAndItsReplayFailsToo()
            throws Exception {
        assertThatThrownBy(() -> storm("lab:storm --cycles 400 --check-every 10 --seed 1 --drivers virtio"
                + " --ops stop,uninstall,update --contract 2012 --policy none --leak-path v7"))
                .hasMessageContaining("did not end clean");
        String out = gogo.lastOutput();
        assertThat(out).containsPattern("(?m)^storm FAILED at cycle \\d+ of 400 \\(seed 1, 2012/none/leak-path v7\\)")
                .containsPattern("(?m)^  (BUG: Bad page state|WARNING: .* lib/list_debug.c|BUG: KASAN|mm:check: bundle"
                        + " invariant: balloon: virtio-balloon 0)")
                .containsPattern("(?m)^  operations since the last good check \\(cycles \\d+ to \\d+\\): ");
        Matcher summary = Pattern.compile(SUMMARY).matcher(out);
        assertThat(summary.find()).isTrue();
        assertThat(Long.parseLong(summary.group(4))).as("reports").isPositive();
        Matcher replay = REPLAY.matcher(out);
        assertThat(replay.find()).as("a replay command").isTrue();

        // a storm's failure hangs on its threads' timing as much as on its cycles: the window came once in 20 to
        // 110 cycles here, and a replay of 10 cycles ran 40 times clean once (fresh-clone CI, 2026-12-07)
        assertThatThrownBy(() -> storm(replay.group(1) + " --repeat 150")).hasMessageContaining("did not end clean");
        assertThat(gogo.lastOutput()).containsPattern("(?m)^replay of \\d+ cycles: failed in repetition \\d+ of 150$");
    }

    @Test
    void withoutDriversTheStormTakesTheFamiliesWhoseUnloadGivesTheirPagesBackAndNotHypervOrXen() throws Exception {
        String out = storm("lab:storm --cycles 8 --check-every 8 --seed 11 --ops stop");

        assertThat(out).contains("storm: 8 cycles of [stop] on [aeration, virtio, vmware] under ")
                .contains("storm: 8 cycles, 0 pages lost, 0 content mismatches, 0 reports");
    }

    @Test
    void badArgumentsAreRefusedInOneLineBeforeAnythingRuns() throws Exception {
        assertThatThrownBy(() -> storm("lab:storm --ops stop,reboot")).hasMessage("no storm operation 'reboot':"
                + " use stop, uninstall, refresh, update, config");
        assertThatThrownBy(() -> storm("lab:storm --drivers virtio,nosuch")).hasMessageStartingWith("no driver family"
                + " 'nosuch' runs in this lab: the families are ");
        assertThatThrownBy(() -> storm("lab:storm --cycles 0")).hasMessageStartingWith("--cycles 0 is out of range");
        assertThatThrownBy(() -> storm("lab:storm --leak-path v7")).hasMessage("--leak-path v7 is the 2012"
                + " contract's: give --contract 2012");
        assertThatThrownBy(() -> storm("lab:storm --replay 'stop:virtio frob:vmware'"))
                .hasMessage("no storm operation 'frob': use stop, uninstall, refresh, update, config");
        // the shell fuzz's finds: an unset variable ran a whole storm, null failed inside it
        assertThatThrownBy(() -> storm("lab:storm --repeat $nosuch")).hasMessage("--repeat is missing (an unset"
                + " variable, or null)");
        assertThatThrownBy(() -> storm("lab:storm --shrink null")).hasMessage("--shrink is missing (an unset"
                + " variable, or null)");
        assertThatThrownBy(() -> storm("lab:storm --seed $nosuch")).hasMessage("--seed is missing (an unset variable,"
                + " or null)");
        assertThatThrownBy(() -> storm("lab:storm --drivers ''")).hasMessageStartingWith("--drivers names no driver"
                + " family");
        assertThatThrownBy(() -> storm("lab:storm --check-every ''")).hasMessage("--check-every '' is not a whole"
                + " number: give 1 to 1000000");
        assertThatThrownBy(() -> storm("lab:storm --repeat 3")).hasMessage("--repeat is for --replay and --shrink: a"
                + " storm runs its cycles once");
        assertThatThrownBy(() -> storm("lab:storm --storms 100001")).hasMessage("--storms 100001 is out of range: give"
                + " 1 to 100000");
        assertThatThrownBy(() -> storm("lab:storm --replay stop:virtio --shard 0/2")).hasMessageStartingWith("--storms,"
                + " --shard and --json are a campaign of new storms'");
        assertThatThrownBy(() -> storm("lab:storm --json /nosuch/dir/storm.jsonl")).hasMessage("/nosuch/dir/storm.jsonl:"
                + " there is no directory /nosuch/dir");
        assertThatThrownBy(() -> storm("lab:storm --drivers nosuch --json " + records.resolve("refused.jsonl")))
                .hasMessageStartingWith("no driver family 'nosuch'");
        assertThat(records.resolve("refused.jsonl")).as("no file for a refused storm").doesNotExist();
        assertThat(events(BundleEvent.STOPPED)).as("nothing ran").isZero();
        assertThat(configsDeleted.get()).as("no device configuration touched").isZero();
    }

    @Test
    void aCampaignOfStormsRunAsTwoShardsWritesRecordsThatLabMergeReadsAsTheWholeCampaign() throws Exception {
        String campaign = "lab:storm --storms 2 --cycles 10 --check-every 5 --seed 11 " + FAMILIES
                + " --contract 2025 --policy none --ops stop,uninstall,update";
        Path[] shards = {records.resolve("shard-0.jsonl"), records.resolve("shard-1.jsonl")};
        for (int i = 0; i < 2; i++) {
            String out = storm(campaign + " --shard " + i + "/2 --json " + shards[i]);
            assertThat(out).contains("storm " + (i + 1) + " of 2: 10 cycles of", "storms: 1 of 2 (shard " + i
                    + "/2): clean 1");
            List<String> lines = Files.readAllLines(shards[i]);
            assertThat(lines).as("a run record and a summary record").hasSize(2);
            assertThat(lines.get(0)).startsWith("{\"type\":\"run\",\"campaign\":\"lab:storm --storms 2 --cycles 10 ")
                    .contains("\"index\":" + i + ",\"race\":\"storm\"", "\"seed\":" + (11 + i) + ",",
                            "\"outcome\":\"clean\"", "\"storm\":{\"cycles\":10,\"planned\":10,\"lost\":0,"
                                    + "\"mismatches\":0,");
            assertThat(lines.get(1)).startsWith("{\"type\":\"summary\"").contains("\"shard\":\"" + i + "/2\"",
                    "\"runs\":2,\"ran\":1,\"outcomes\":{\"clean\":1}");
        }

        String merged = gogo.run("lab:merge " + shards[0] + " " + shards[1]);

        assertThat(merged).contains("merged 2 files: 2 runs of 1 campaign").containsPattern("(?m)^lab:storm --storms 2"
                + " --cycles 10 .*--seed 11 .*: 2 of 2 runs, 2 shards of 2: clean 2$");
        assertThatThrownBy(() -> gogo.run("lab:merge " + shards[1])).hasMessageContaining("not whole campaigns");
        assertThat(gogo.lastOutput()).containsPattern("(?m)^missing: shard 0/2 of lab:storm --storms 2 ");
    }

    /**
     * Each install and update of a driver queues, on the framework's start-level thread, the start level the
     * bnd launcher's start-level handler gives the bundle (./mmlab has the handler; the test does its part, the
     * in-framework tests run without it); a bundle the storm uninstalled before that thread got to it made Felix
     * log "ERROR: Bundle ... Error locking ... Bundle in unexpected state" (1 to 3 times in 10,000 cycles). The
     * test holds that thread while the storm starts: the storm waits for it rather than going on.
     */
    @Test
    void theStormWaitsForTheStartLevelsItsInstallsQueued() throws Exception {
        FrameworkStartLevel startLevel = context.getBundle(Constants.SYSTEM_BUNDLE_ID).adapt(FrameworkStartLevel.class);
        SynchronousBundleListener launcher = e -> {
            if (DRIVERS.contains(e.getBundle().getSymbolicName())
                    && (e.getType() == BundleEvent.INSTALLED || e.getType() == BundleEvent.UPDATED)) {
                e.getBundle().adapt(BundleStartLevel.class).setStartLevel(startLevel.getStartLevel());
            }
        };
        List<FrameworkEvent> felix = new CopyOnWriteArrayList<>();
        FrameworkListener listener = felix::add;
        CountDownLatch release = new CountDownLatch(1);
        context.addBundleListener(launcher);
        context.addFrameworkListener(listener);
        try {
            CountDownLatch held = new CountDownLatch(1);
            startLevel.setStartLevel(startLevel.getStartLevel(), e -> {
                held.countDown();
                awaitQuietly(release);
            });
            assertThat(held.await(Await.WAIT_MS, TimeUnit.MILLISECONDS)).as("the start-level thread held").isTrue();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return storm("lab:storm --cycles 8 --check-every 8 --seed 11 --drivers virtio --ops uninstall");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until("the storm's first uninstall", () -> events(BundleEvent.UNINSTALLED) >= 1);
            // its install again waits for the thread; before, the next cycles uninstalled the bundles installed
            // meanwhile, their start levels still queued (a cycle takes well under a second)
            long deadline = System.currentTimeMillis() + 5_000;
            while (events(BundleEvent.UNINSTALLED) < 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            long uninstallsWhileHeld = events(BundleEvent.UNINSTALLED);
            release.countDown();

            assertThat(out.get(STORM_MS, TimeUnit.MILLISECONDS)).contains("storm: 8 cycles, 0 pages lost, 0 content"
                    + " mismatches, 0 reports");
            // framework events are delivered in order: once this request's is in, any error queued before it is too
            long changes = count(felix, FrameworkEvent.STARTLEVEL_CHANGED);
            startLevel.setStartLevel(startLevel.getStartLevel());
            Await.until("the start level's event", () -> count(felix, FrameworkEvent.STARTLEVEL_CHANGED) > changes);
            assertThat(felix).filteredOn(e -> e.getType() == FrameworkEvent.ERROR)
                    .extracting(e -> String.valueOf(e.getThrowable())).isEmpty();
            assertThat(uninstallsWhileHeld).as("uninstalls while the start-level thread was held").isOne();
        } finally {
            release.countDown();
            context.removeFrameworkListener(listener);
            context.removeBundleListener(launcher);
        }
    }

    private static long count(List<FrameworkEvent> events, int type) {
        return events.stream().filter(e -> e.getType() == type).count();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(STORM_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs a storm in the test's shell, failing the test (rather than hanging it) if it never ends; a storm
     * that fails prints what it said, which the failure's message does not hold.
     */
    private String storm(String command) throws Exception {
        try {
            return gogo.run(command, STORM_MS);
        } catch (IllegalStateException notClean) {
            System.out.println(command + ":\n" + gogo.lastOutput());
            throw notClean;
        }
    }

    private long events(int type) {
        AtomicLong n = bundleEvents.get(type);
        return n == null ? 0 : n.get();
    }

    /** The storm's "operations: stop 8, uninstall 3, ..." line, by kind. */
    private static Map<String, Long> operations(String out) {
        Matcher m = OPERATIONS.matcher(out);
        assertThat(m.find()).as("an operations line in %s", out).isTrue();
        Map<String, Long> ops = new ConcurrentHashMap<>();
        for (String part : m.group(1).split(", ")) {
            String[] kv = part.split(" ");
            ops.put(kv[0], Long.parseLong(kv[1]));
        }
        return ops;
    }
}
