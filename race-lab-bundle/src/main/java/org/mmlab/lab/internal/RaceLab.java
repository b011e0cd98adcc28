package org.mmlab.lab.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.mmlab.lab.CheckerReports;
import org.mmlab.lab.RaceOutcome;
import org.mmlab.lab.internal.sched.ControlledScheduler;
import org.mmlab.lab.internal.sched.Strategy;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.lab.InjectionPoints;
import org.osgi.framework.ServiceRegistration;

/**
 * Runs one schedule of a race whose threads are ready: hands the kernel's injection points to a
 * controlled scheduler for the run, and reads in dmesg what the checkers reported.
 * {@link RaceBatch} readies the lab around it.
 */
final class RaceLab {
    /** A run that takes longer than this is stuck (and reported so, with where each thread is). */
    static final long RUN_TIMEOUT_MS = 30_000;

    private final LabContext lab;
    /** The page-conservation checker: mm:check after each run (lab:check). */
    private final boolean checkAfterRun;
    /** Each run's hand-offs of the watchdog printed, with the blocked thread's stack (lab:handoffs). */
    private final boolean printHandoffs;

    RaceLab(LabContext lab, boolean checkAfterRun, boolean printHandoffs) {
        this.lab = lab;
        this.checkAfterRun = checkAfterRun;
        this.printHandoffs = printHandoffs;
    }

    RaceOutcome run(Race race, Setup setup, StrategySpec strategy, Map<String, Runnable> threads) throws Exception {
        MemoryManager mm = lab.mm();
        Strategy chooser = strategy.create();
        ControlledScheduler sched = new ControlledScheduler(chooser);
        threads.forEach(sched::thread);
        List<String> handoffs = Collections.synchronizedList(new ArrayList<>());
        if (printHandoffs) {
            sched.debugHandoffs(handoffs::add);
        }
        long mark = lab.mmLab().dmesgSeq();
        InjectionPoints points = new InjectionPoints() {
            @Override
            public void at(String point, int pfn) {
                sched.at(point);
            }

            @Override
            public boolean sleep(String point, long ms) {
                return sched.sleep(point, ms);
            }

            @Override
            public <T> T awaitOutside(Supplier<T> wait) {
                return ControlledScheduler.awaitOutside(wait::get);
            }

            @Override
            public <T> T awaitWorker(Thread worker, Supplier<T> wait) {
                return ControlledScheduler.awaitWorker(worker, wait::get);
            }

            @Override
            public void released(String lock) {
                sched.released();
            }
        };
        Hashtable<String, Object> props = new Hashtable<>();
        if (race.lockPoints()) {
            props.put(InjectionPoints.LOCK_POINTS, Boolean.TRUE);
        }
        ServiceRegistration<InjectionPoints> reg = lab.context.registerService(InjectionPoints.class, points, props);
        ControlledScheduler.Result r;
        try {
            r = sched.run(RUN_TIMEOUT_MS);
        } finally {
            reg.unregister();
        }
        if (printHandoffs && !handoffs.isEmpty()) { // before the run's own line
            System.out.printf("%s: %d hand-offs and returns of the watchdog%n", strategy.describe(), handoffs.size());
            handoffs.forEach(l -> System.out.println("  " + l));
        }
        if (checkAfterRun && r.stuck() == null) {
            checkAfterRun(mm);
        }
        List<String> reports = CheckerReports.in(lab.mmLab().dmesgSince(mark));
        boolean reproduced = reports.stream().anyMatch(l -> l.contains(race.report()));
        String failure = r.stuck() != null ? r.stuck()
                : r.failures().isEmpty() ? null : String.join("; ", r.failures());
        // the events' strings are made only if something reads them (a report, a closed window, a test)
        return new RaceOutcome(race.name(), setup.options(), strategy.describe(), reproduced, reports,
                r.windowClosed(), chooser.unmet(), r.trace().text(), r.trace().eventList(), r.decisions(), failure);
    }

    /**
     * The page-conservation checker: mm:check (every page accounted once, every list and counter
     * consistent, no data loss) on the guest as the run left it, before cleanup puts it back; each
     * invariant it finds broken becomes a report in dmesg.
     */
    private void checkAfterRun(MemoryManager mm) {
        CheckResult r = lab.check();
        if (!r.ok()) {
            mm.printk("BUG: mmlab: page conservation broken after the run: " + r.verdict());
        }
    }
}
