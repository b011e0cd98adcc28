package org.mmlab.lab.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.mmlab.lab.CheckerReports;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.NodeStat;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.admin.Compactor;
import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;

/**
 * One hot-plug storm on a freshly booted guest: its setup in force (contract, policy, leak path), the
 * background running ({@link StormBackground}), the cycles' operations done one after another
 * ({@link StormLifecycle}), and after every K cycles and at the end a check ({@link StormCheck}). It
 * stops at the first check that is not clean. Closing it puts the lab back: the hosts' targets, the leak
 * path, the policy and the contract the guest ran before.
 */
final class Storm implements AutoCloseable {
    private final LabContext lab;
    private final StormFamilies families;
    private final StormSetup setup;
    private final StormBackground background;
    private final StormLifecycle lifecycle;
    private final ModulePolicy oldPolicy;
    private final MigrationContract oldContract;
    /** The guest's memory when the storm began: its guest reboots with it. */
    private final long memoryBytes;
    private final Map<StormOp.Kind, Long> opsDone = new EnumMap<>(StormOp.Kind.class);
    private final Map<String, AtomicLong> events = new ConcurrentHashMap<>();
    private final SynchronousBundleListener counter = this::count;
    private final LeakPathSetting leakPath = new LeakPathSetting();
    private long mark;

    /** The lab readied for the storm: the setup in force on a freshly booted guest. */
    Storm(LabContext lab, StormFamilies families, StormSetup setup, Compactor compactor, WorkloadControl workload)
            throws Exception {
        this.lab = lab;
        this.families = families;
        this.setup = setup;
        this.lifecycle = new StormLifecycle(lab, families);
        this.oldPolicy = lab.mmLab().modulePolicy();
        this.oldContract = lab.contract();
        this.memoryBytes = lab.running().memoryBytes(); // a storm runs in the user's guest, not a race's small one
        if (setup.leakPath().equals(LeakPathSetting.V7)) {
            leakPath.set(lab, LeakPathSetting.V7);
        }
        lab.reboot(setup.contract(), memoryBytes);
        leakPath.await(lab);
        lab.mmLab().setModulePolicy(setup.policy());
        lab.kcompactd(true);
        this.background = new StormBackground(compactor, workload, families, setup.seed(), lab.mm(),
                lab::aerationNow);
    }

    /** What a storm tells at each check (the run board): cycles done, the progress line, the check's reports. */
    interface Progress {
        void checked(int done, String line, List<String> reports);
    }

    /**
     * Runs the cycles, checking every K of them and after the last; prints a progress line at each check
     * and tells progress. Stops at the first check that is not clean.
     */
    StormResult run(List<List<StormOp>> cycles, PrintStream out, Progress progress) throws Exception {
        lab.context.addBundleListener(counter);
        mark = lab.mmLab().dmesgSeq();
        List<List<StormOp>> since = new ArrayList<>();
        long t0 = System.nanoTime();
        background.start();
        StormCheck last = null;
        int done = 0;
        try {
            for (List<StormOp> cycle : cycles) {
                since.add(cycle);
                String failed = null;
                try {
                    lifecycle.run(cycle);
                } catch (Exception e) {
                    failed = "BUG: mmlab: storm cycle " + (done + 1) + ": " + e.getMessage();
                }
                cycle.forEach(op -> opsDone.merge(op.kind(), 1L, Long::sum));
                done++;
                if (failed != null || done % setup.checkEvery() == 0 || done == cycles.size()) {
                    last = check(failed);
                    String line = progress(done, cycles.size(), t0, last);
                    out.println(line);
                    progress.checked(done, line, last.reports());
                    if (!last.clean()) {
                        break;
                    }
                    since.clear();
                }
            }
        } finally {
            background.close();
            lab.context.removeBundleListener(counter);
        }
        return new StormResult(done, last, last.clean() ? List.of() : since, ops(), events(), background());
    }

    private StormCheck check(String cycleFailure) throws Exception {
        CheckResult r = lab.check();
        List<String> reports = CheckerReports.whole(lab.mmLab().dmesgSince(mark));
        mark = lab.mmLab().dmesgSeq();
        List<String> failures = new ArrayList<>(background.failures());
        if (cycleFailure != null) {
            failures.add(cycleFailure);
        }
        return StormCheck.of(r, reports, failures, modules());
    }

    /** Each family's bundle and its state, e.g. "virtio-bundle ACTIVE". */
    private String modules() {
        return families.chosen().stream().map(f -> {
            Bundle b = lab.installed(f.bundle());
            return f.bundle() + " " + (b == null ? "UNINSTALLED" : state(b.getState()));
        }).collect(Collectors.joining(", "));
    }

    private static String state(int s) {
        return switch (s) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> "UNINSTALLED";
        };
    }

    private String progress(int done, int total, long t0, StormCheck c) throws InterruptedException {
        double s = (System.nanoTime() - t0) / 1e9;
        return String.format("storm: cycle %d of %d, %.1f cycles/s, %d pages ballooned, %d reports; %s; %s", done,
                total, done / s, lab.mm().nodePageState(NodeStat.NR_BALLOON_PAGES), c.reports().size(), c.verdict(),
                c.modules());
    }

    private void count(BundleEvent e) {
        String bsn = e.getBundle().getSymbolicName();
        if (families.chosen().stream().anyMatch(f -> f.bundle().equals(bsn))) {
            events.computeIfAbsent(eventName(e.getType()), k -> new AtomicLong()).incrementAndGet();
        }
    }

    private static String eventName(int type) {
        return switch (type) {
            case BundleEvent.INSTALLED -> "INSTALLED";
            case BundleEvent.STARTED -> "STARTED";
            case BundleEvent.STOPPED -> "STOPPED";
            case BundleEvent.UPDATED -> "UPDATED";
            case BundleEvent.UNINSTALLED -> "UNINSTALLED";
            case BundleEvent.RESOLVED -> "RESOLVED";
            case BundleEvent.UNRESOLVED -> "UNRESOLVED";
            case BundleEvent.STARTING -> "STARTING";
            case BundleEvent.STOPPING -> "STOPPING";
            default -> "LAZY_ACTIVATION";
        };
    }

    private String ops() {
        return opsDone.entrySet().stream().map(e -> e.getKey().value() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private String events() {
        return new TreeMap<>(events).entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /**
     * The compactions, target moves (and moves refused by a device that went), runs out of memory and
     * hinting kicks the background did, and the reported frames the guest used again (hinting really ran).
     */
    private String background() {
        return String.format("%d compactions, %d target moves (%d refused: the device went), %d runs out of memory,"
                + " %d hinting kicks (%d reported frames used again)", background.compactions.get(),
                background.targetMoves.get(), background.refusedMoves.get(), background.outOfMemory.get(),
                background.hintingKicks.get(), background.reportedFramesBack.get());
    }

    @Override
    public void close() throws Exception {
        for (StormFamilies.Family f : families.chosen()) { // a failed cycle may have left one down
            lab.ensureStarted(f.bundle(), f.jar());
        }
        background.putTargetsBack();
        leakPath.putBack(lab); // what uses the settings (balloon:) is back when the storm ends
        lab.mmLab().setModulePolicy(oldPolicy);
        if (lab.contract() != oldContract) {
            lab.reboot(oldContract, memoryBytes);
        }
    }
}
