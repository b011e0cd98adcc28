package org.mmlab.lab.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.mmlab.lab.RaceOutcome;
import org.mmlab.lab.internal.sched.Strategies;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * The lab's harness for repeated runs of one race under one setup: what the runs share is readied
 * once ({@link Race#prepareBatch}: the guest's contract, the race's settings), each run readies only
 * what a run changes ({@link Race#prepare}) and undoes it ({@link Race#reset}), and the lab is put
 * back once at the end ({@link Race#cleanup}). A run that reported anything may have left the guest
 * corrupt: the next run gets a freshly booted one. Times each phase, for lab:race's summary.
 */
public final class RaceBatch implements AutoCloseable {
    private final LabContext lab;
    private final RaceLab runner;
    private final Race race;
    private final Setup setup;
    private final ModulePolicy old;
    /** The lab's components up before the batch, which its end waits for. */
    private final int componentsUp;
    private boolean tainted;
    private int runs;
    private long batchNs;
    private long prepareNs;
    private long scheduleNs;
    private long cleanupNs;
    private long[] runNs = new long[16];

    RaceBatch(LabContext lab, Race race, Setup setup, boolean checkAfterRun, boolean printHandoffs) throws Exception {
        this.lab = lab;
        this.runner = new RaceLab(lab, checkAfterRun, printHandoffs);
        this.race = race;
        this.setup = setup;
        long t0 = System.nanoTime();
        this.componentsUp = lab.components.up();
        this.old = lab.mmLab().modulePolicy();
        lab.mmLab().setModulePolicy(setup.policy());
        try {
            race.prepareBatch(lab, setup);
        } catch (Exception | Error e) {
            try {
                close();
            } catch (Exception x) {
                e.addSuppressed(x);
            }
            throw e;
        }
        batchNs = System.nanoTime() - t0;
    }

    public Race race() {
        return race;
    }

    public Setup setup() {
        return setup;
    }

    /** One run with this strategy. */
    public RaceOutcome run(StrategySpec strategy) throws Exception {
        long t0 = System.nanoTime();
        if (runs > 0) {
            race.reset(lab);
            if (tainted && !race.freshGuestEachRun()) {
                race.prepareBatch(lab, setup); // boots a fresh guest
            }
        }
        Map<String, Runnable> threads = race.prepare(lab, setup);
        if (!List.copyOf(threads.keySet()).equals(race.threadNames())) {
            throw new IllegalStateException("race " + race.name() + " prepared the threads " + threads.keySet()
                    + ", but says its threads are " + race.threadNames());
        }
        long t1 = System.nanoTime();
        RaceOutcome o = runner.run(race, setup, strategy, threads);
        String missing = race.checkWork(lab, o);
        if (missing != null) {
            o = o.failing(missing);
        }
        long t2 = System.nanoTime();
        tainted = !o.reports().isEmpty() || o.failure() != null;
        if (tainted) {
            lab.taint();
        }
        prepareNs += t1 - t0;
        scheduleNs += t2 - t1;
        if (runs == runNs.length) {
            runNs = Arrays.copyOf(runNs, runs * 2);
        }
        runNs[runs++] = t2 - t0;
        return o;
    }

    /** Decisions of a run whose schedule switches only when a thread ends: PCT's k (one run of the batch). */
    public int steps() throws Exception {
        RaceOutcome o = run(StrategySpec.of(() -> Strategies.replay(""), "replay ''"));
        return (int) Math.max(1, o.decisions());
    }

    /**
     * Where the batch's time went, e.g. "20 runs in 1.42 s: 61.2 ms a run (median 58.0; prepare 35.1,
     * schedule 26.1), 14.1 runs a second; batch prepare 48 ms, cleanup 60 ms". The runs a second are the
     * exploration's rate (lab:explore's schedules a second), the batch's own preparation left out.
     */
    public String times() {
        if (runs == 0) {
            return "no runs";
        }
        long[] sorted = Arrays.copyOf(runNs, runs);
        Arrays.sort(sorted);
        double median = runs % 2 == 1 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2.0;
        return String.format("%d runs in %.2f s: %.1f ms a run (median %.1f; prepare %.1f, schedule %.1f),"
                + " %.1f runs a second; batch prepare %.0f ms, cleanup %.0f ms", runs, (prepareNs + scheduleNs) / 1e9,
                (prepareNs + scheduleNs) / 1e6 / runs, median / 1e6, prepareNs / 1e6 / runs, scheduleNs / 1e6 / runs,
                runs * 1e9 / (prepareNs + scheduleNs), batchNs / 1e6, cleanupNs / 1e6);
    }

    @Override
    public void close() throws Exception {
        long t0 = System.nanoTime();
        try {
            race.cleanup(lab);
            lab.restoreMemory();
        } finally {
            try {
                try {
                    lab.mmLab().setModulePolicy(old);
                } finally {
                    lab.putOtherDriversBack();
                }
                lab.components.awaitUp(componentsUp); // the statement after lab:race finds its commands
                cleanupNs = System.nanoTime() - t0;
            } finally {
                lab.close();
            }
        }
    }
}
