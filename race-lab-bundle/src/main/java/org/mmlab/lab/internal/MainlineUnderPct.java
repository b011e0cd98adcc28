package org.mmlab.lab.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.mmlab.lab.RaceOutcome;
import org.mmlab.lab.internal.sched.Trace;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.VmEvent;
import org.mmlab.mm.lab.DebugSwitches;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.framework.Bundle;

/**
 * Race 8 (issue 5): the mainline design under the explorer. Seed 003's reviewer asked for "locking
 * external to module"; mainline's answer is that the operations are the core's (balloon_mops), the core
 * does the bookkeeping after the driver's migratepage returns, and the driver drains its balloon in its
 * remove path. Three simulated threads race over virtio device 0's balloon: compaction migrates some of
 * its pages, a task under memory pressure deflates it (the OOM notifier chain runs the driver's
 * leak_balloon on that task), and the admin thread stops virtio-bundle (the module unload: GOING, the
 * driver's remove, GONE). Every lock the driver and the balloon core annotate is a point too. No script
 * fails: lab:explore 8 looks for any checker report; lab:race 8 runs one schedule of interest.
 */
final class MainlineUnderPct extends CataloguedRace {
    static final String VIRTIO = VirtioUnloadRace.VIRTIO;
    static final String MAINLINE = "mainline";
    /** Pages device 0's host asks for at each start of the driver (its configuration's hostTarget). */
    static final int PAGES = 64;
    /** Balloon pages compaction migrates in one range. */
    static final int MIGRATE = 4;
    /** How the deflating task takes the free memory: movable, no reclaim, no warning (it fails quietly). */
    static final int GFP_EAT = (Gfp.GFP_HIGHUSER_MOVABLE & ~Gfp.__GFP_RECLAIM) | Gfp.__GFP_NOWARN;
    /** Then one allocation that may reach out_of_memory() and its notifier chain (virtio_balloon_oom_notify). */
    static final int GFP_OOM = Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN;

    /** Device 0, asking for PAGES at each probe during a batch. */
    private final Device0 device0 = new Device0();
    /** leakPath=v7 while the v7-leak variant asks for it. */
    private final LeakPathSetting leakPath = new LeakPathSetting();
    /** The batch the counters below are of. */
    private LabContext counting;
    private final Work work = new Work();
    /** This run's balloon events before it, and what its threads did. */
    private long deflateBefore;
    private long migrateBefore;
    private volatile int migrated;

    MainlineUnderPct() {
        super(new RaceMetadata("mainline-under-pct", "003",
                "If yes we need locking external to module to prevent this.",
                RaceMetadata.variants(
                        MAINLINE, "virtio as merged: its remove unregisters the OOM notifier, then leaks until"
                                + " num_pages is 0, which waits for the pages migration has isolated",
                        UnloadDuringMigration.V7_LEAK, "2012 only, to show the explorer's teeth: the reviewed v7"
                                + " patch's leak path (leakPath=v7), race 1's design, under which the same exploration"
                                + " finds reports"),
                // the setup it explores (lab:explore's default)
                new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, MAINLINE),
                // where the explorer found nothing (docs/race-lab.md has the count): the mainline design, in which
                // the core takes no module reference and the driver drains its balloon in its remove path
                List.of(Pass.survives(new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, MAINLINE))),
                List.of("compaction", "deflate", "admin"),
                "device 0 inflated to " + PAGES + " pages at each start (its hostTarget for the batch);"
                        + " compaction migrates " + MIGRATE + " of them; the deflating task takes every free page, then"
                        + " allocates once (the OOM notifiers deflate), then frees them; the admin stops virtio-bundle;"
                        + " every balloon lock is a point; a " + (LabContext.RACE_GUEST_BYTES >> 20) + " MiB guest for"
                        + " the batch (the deflating task takes and frees it all in well under a millisecond);"
                        + " vmware-bundle, hyperv-bundle and xen-bundle unloaded for the batch, so that no other driver"
                        + " allocates outside the run."
                        + " Run it with lab:explore mainline-under-pct --runs N",
                // race 1's window tried on mainline: the unload starts (GOING) while compaction is inside
                // migratepage and the OOM deflation has taken every other page; the remove waits for the isolated
                // page, so the module goes only after the callback returned. Clean, no window closed.
                "compaction@call.enter:b_dev_info.migratepage < deflate@start < admin@start,"
                        + " admin@module.going < compaction@call.return:b_dev_info.migratepage",
                "")); // an exploration: any checker report
    }

    /** As Race's, and v7-leak only under 2012, whose leak path it is: a clear error before anything changes. */
    @Override
    public Setup setup(String contract, String policy, String variant) {
        Setup s = super.setup(contract, policy, variant);
        if (s.variant().equals(UnloadDuringMigration.V7_LEAK) && s.contract() != MigrationContract.BALLOON_2012) {
            throw new IllegalArgumentException("variant " + UnloadDuringMigration.V7_LEAK + " is 2012's leak path:"
                    + " use --contract 2012");
        }
        return s;
    }

    @Override
    public boolean exploration() {
        return true;
    }

    @Override
    public boolean lockPoints() {
        return true;
    }

    /**
     * Once a batch (and after a run that reported something): the other balloon drivers unloaded, the guest,
     * kcompactd, device 0's target.
     */
    @Override
    public void prepareBatch(LabContext lab, Setup setup) throws Exception {
        if (counting != lab) {
            counting = lab;
            work.clear();
        }
        if (setup.variant().equals(UnloadDuringMigration.V7_LEAK) && !leakPath.isSet()) {
            leakPath.set(lab, LeakPathSetting.V7);
        }
        lab.ensureStarted(VIRTIO, null);
        // VMware's worker allocates after every probe: with the run's task holding every free page, its OOM
        // notifiers deflated device 0 outside the run (OtherDrivers)
        lab.setOtherDriversAside();
        lab.bootWith(setup.contract());
        leakPath.await(lab);
        lab.kcompactd(false);
        // without the per-cpu page lists: with them, a seed no longer decides every schedule (docs/race-lab.md)
        lab.debug(DebugSwitches.Switch.PCP, false);
        device0.askFor(lab, PAGES);
    }

    /** Each run: virtio-bundle started again (the last run stopped it), device 0 at PAGES pages. */
    @Override
    public Map<String, Runnable> prepare(LabContext lab, Setup setup) throws Exception {
        Bundle virtio = lab.ensureStarted(VIRTIO, null);
        Device0.awaitPages(lab, PAGES);
        MemoryManager mm = lab.mm();
        int[] pages = balloonPages(lab.movablePages(), mm.nrPages(), MIGRATE);
        deflateBefore = mm.vmEvents(VmEvent.BALLOON_DEFLATE);
        migrateBefore = mm.vmEvents(VmEvent.BALLOON_MIGRATE);
        migrated = 0;
        Map<String, Runnable> threads = new LinkedHashMap<>();
        // kcompactd's work on device 0: migrate_pages() over a range holding MIGRATE of its pages
        threads.put("compaction", () -> migrated = mm.migrateRange(pages[0], pages[MIGRATE - 1] + 1, MigrateMode.SYNC));
        threads.put("deflate", () -> underMemoryPressure(mm));
        threads.put("admin", () -> {
            try {
                virtio.stop(Bundle.STOP_TRANSIENT); // rmmod: GOING, virtballoon_remove(), GONE; nothing persisted
            } catch (Exception e) {
                throw new IllegalStateException("stopping " + VIRTIO + ": " + e, e);
            }
        });
        return threads;
    }

    /**
     * A task that runs out of memory: it takes every free page, then allocates once more, which reaches
     * out_of_memory() and so the OOM notifier chain (virtio_balloon_oom_notify(): leak_balloon() on this
     * task); then it frees everything.
     */
    static void underMemoryPressure(MemoryManager mm) {
        List<int[]> taken = new ArrayList<>();
        try {
            for (int order = Mm.MAX_PAGE_ORDER; order >= 0; order--) {
                int pfn;
                while ((pfn = mm.allocPages(GFP_EAT, order)) != Mm.NO_PAGE) {
                    taken.add(new int[] {pfn, order});
                }
            }
            int pfn = mm.allocPages(GFP_OOM, 0);
            if (pfn != Mm.NO_PAGE) {
                taken.add(new int[] {pfn, 0});
            }
        } finally {
            for (int[] t : taken) {
                mm.freePages(t[0], t[1]);
            }
        }
    }

    /** The lowest n pages of the balloon, found the contract's way. */
    private static int[] balloonPages(MovablePages mp, int nrPages, int n) {
        int[] out = new int[n];
        int found = 0;
        for (int pfn = 0; pfn < nrPages && found < n; pfn++) {
            if (VirtioUnloadRace.isBalloonPage(mp, pfn)) {
                out[found++] = pfn;
            }
        }
        if (found < n) {
            throw new IllegalStateException("device 0's balloon holds " + found + " pages, fewer than " + n);
        }
        return out;
    }

    /**
     * Every run must unload the driver and see each of the balloon's pages deflated (by the OOM
     * notifier or by the remove); migration and OOM deflation depend on the schedule and are counted.
     */
    @Override
    public String checkWork(LabContext lab, RaceOutcome run) throws Exception {
        MemoryManager mm = lab.mm();
        long deflated = mm.vmEvents(VmEvent.BALLOON_DEFLATE) - deflateBefore;
        long migratedPages = mm.vmEvents(VmEvent.BALLOON_MIGRATE) - migrateBefore;
        boolean unloaded = passed(run, "admin", "module.gone"::equals)
                && lab.bundle(VIRTIO).getState() == Bundle.RESOLVED;
        boolean oomLeak = passed(run, "deflate", p -> p.startsWith("lock:&vb->balloon_lock"));
        work.add(unloaded, deflated, migratedPages, migrated, oomLeak);
        List<String> missing = new ArrayList<>();
        if (!unloaded) {
            missing.add(VIRTIO + " was not unloaded");
        }
        if (deflated != PAGES) {
            missing.add(deflated + " balloon pages deflated, not " + PAGES);
        }
        return missing.isEmpty() ? null : "the run did not do its work: " + String.join(", ", missing);
    }

    /**
     * Whether the run's thread passed a point that point accepts (an event THREAD@POINT#1 among its events): read
     * from the trace, without making the events' strings, when the events are the run's own.
     */
    static boolean passed(RaceOutcome run, String thread, Predicate<String> point) {
        if (run.events() instanceof Trace.Events own) {
            return own.passed(thread, point);
        }
        String prefix = thread + "@";
        return run.events().stream().anyMatch(e -> e.startsWith(prefix)
                && point.test(e.substring(prefix.length(), e.lastIndexOf('#'))));
    }

    @Override
    public String work() {
        return work.toString();
    }

    @Override
    public void reset(LabContext lab) {
        // the next prepare() starts virtio-bundle again; its device inflates to PAGES on probe
    }

    @Override
    public void cleanup(LabContext lab) throws Exception {
        VirtioUnloadRace.restoreAfterBatch(lab, null, device0, leakPath);
    }

    /** What a batch's runs did, for lab:explore's "work:" line and the tests. */
    static final class Work {
        int runs;
        int unloaded;
        int migratedRuns;
        long migratedPages;
        int oomRuns;
        long deflated;

        void clear() {
            runs = unloaded = migratedRuns = oomRuns = 0;
            migratedPages = deflated = 0;
        }

        void add(boolean unload, long deflatedPages, long migratedBalloonPages, int migratedByCompaction,
                boolean oomLeak) {
            runs++;
            unloaded += unload ? 1 : 0;
            migratedRuns += migratedByCompaction > 0 ? 1 : 0;
            migratedPages += migratedBalloonPages;
            oomRuns += oomLeak ? 1 : 0;
            deflated += deflatedPages;
        }

        @Override
        public String toString() {
            return String.format("%d runs: virtio-bundle unloaded in %d, balloon pages migrated in %d (%d pages),"
                    + " deflated by the OOM notifier in %d, %d pages deflated in all", runs, unloaded, migratedRuns,
                    migratedPages, oomRuns, deflated);
        }
    }
}
