package org.mmlab.lab.internal;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.admin.Compactor;
import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * lab:storm: a seeded storm, a replay of a failing one's operations, or a shrink of them to the fewest
 * that still fail. Every argument is checked, and refused in one line, before anything runs.
 */
final class StormRuns {
    /** The plan holds every cycle: a million is about 50 MB. */
    static final int MAX_CYCLES = 1_000_000;
    /** Operations when --ops is not given: refresh also refreshes the bundles that import a driver's API. */
    static final String DEFAULT_OPS = "stop,uninstall,update,config";
    /** Replays a shrink may spend. */
    static final int MAX_SHRINK_REPLAYS = 40;

    private final LabContext lab;
    private final Compactor compactor;
    private final WorkloadControl workload;
    private final PrintStream out;

    StormRuns(LabContext lab, Compactor compactor, WorkloadControl workload, PrintStream out) {
        this.lab = lab;
        this.compactor = compactor;
        this.workload = workload;
        this.out = out;
    }

    /** Runs what the arguments ask; true when it ends clean (a shrink: when it shrank). */
    boolean run(StormArgs a) throws Exception {
        if (!a.replay().isEmpty() && !a.shrink().isEmpty()) {
            throw new IllegalArgumentException("give --replay or --shrink, not both");
        }
        long seed = CommandArgs.number("--seed", or(a.seed(), "1"), Long.MIN_VALUE, Long.MAX_VALUE);
        MigrationContract contract = MigrationContract.parse(or(a.contract(), "2025"));
        ModulePolicy policy = ModulePolicy.parse(or(a.policy(), "none"));
        int checkEvery = CommandArgs.intNumber("--check-every", or(a.checkEvery(), "100"), 1, MAX_CYCLES);
        int repeat = CommandArgs.intNumber("--repeat", or(a.repeat(), "20"), 1, 1000);
        StormSetup setup = new StormSetup(contract, policy, or(a.leakPath(), StormSetup.V38), seed, checkEvery);
        try (StormFamilies families = new StormFamilies(lab.context)) {
            String given = !a.replay().isEmpty() ? a.replay() : a.shrink();
            if (!given.isEmpty()) {
                List<List<StormOp>> cycles = StormOp.parseCycles(given, families.registered());
                families.choose(cycles.stream().flatMap(List::stream).map(StormOp::family).distinct().toList(), lab);
                checkRefresh(cycles, families);
                return a.replay().isEmpty() ? shrink(cycles, families, setup, repeat)
                        : replay(cycles, families, setup, repeat, true) == null;
            }
            int n = CommandArgs.intNumber("--cycles", or(a.cycles(), "100"), 1, MAX_CYCLES);
            List<String> names = list(a.drivers());
            List<StormOp.Kind> kinds = list(or(a.ops(), DEFAULT_OPS)).stream().map(StormOp.Kind::parse).distinct()
                    .toList();
            if (kinds.isEmpty()) {
                throw new IllegalArgumentException("--ops names no operation: use " + StormOp.Kind.allowed());
            }
            List<String> chosen = families.choose(names, lab);
            List<List<StormOp>> cycles = StormPlan.cycles(seed, n, chosen, kinds);
            checkRefresh(cycles, families);
            out.printf("storm: %d cycles of %s on %s under %s, seed %d, a check every %d cycles%n", n,
                    kinds.stream().map(StormOp.Kind::value).toList(), chosen, setup, seed, checkEvery);
            StormResult r = storm(cycles, families, setup, false);
            if (!r.clean()) {
                printFailure(r, setup, n);
            }
            out.println(r.summary());
            return r.clean();
        }
    }

    /** A refresh that would take the storm's own bundle with it is refused before anything runs. */
    private void checkRefresh(List<List<StormOp>> cycles, StormFamilies families) {
        if (cycles.stream().flatMap(List::stream).anyMatch(o -> o.kind() == StormOp.Kind.REFRESH)) {
            new StormLifecycle(lab, families).checkRefreshable();
        }
    }

    /** A storm of these cycles; quiet, it prints nothing (a shrink's replays). */
    private StormResult storm(List<List<StormOp>> cycles, StormFamilies families, StormSetup setup, boolean quiet)
            throws Exception {
        PrintStream to = quiet ? new PrintStream(OutputStream.nullOutputStream()) : out;
        try (Storm storm = new Storm(lab, families, setup, compactor, workload)) {
            StormResult r = storm.run(cycles, to);
            to.printf("operations: %s; bundle events: %s; background: %s%n", r.ops(), r.events(), storm.background());
            return r;
        }
    }

    private void printFailure(StormResult r, StormSetup setup, int total) {
        int from = r.cycles() - r.failing().size() + 1;
        out.printf("storm FAILED at cycle %d of %d (seed %d, %s): %s%n", r.cycles(), total, setup.seed(), setup,
                r.last().verdict());
        r.last().problems().forEach(line -> out.println("  mm:check: " + line));
        reports(r.last().reports()).forEach(line -> out.println("  " + line));
        String ops = StormOp.cycles(r.failing());
        out.printf("  operations since the last good check (cycles %d to %d): %s%n", from, r.cycles(), ops);
        out.printf("  replay: lab:storm --replay '%s' %s%n", ops, setup.options());
        out.printf("  shrink: lab:storm --shrink '%s' %s%n", ops, setup.options());
    }

    /**
     * Each distinct report once, with how many times it came ("(x12)") and, when it is a catalogued race's
     * report, which race: the storm found it on its own.
     */
    static List<String> reports(List<String> reports) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        reports.forEach(r -> counts.merge(r, 1, Integer::sum));
        List<String> out = new ArrayList<>();
        Catalogue catalogue = Catalogue.all();
        counts.forEach((line, n) -> {
            String race = catalogue.races().stream().filter(x -> !x.exploration() && line.contains(x.report()))
                    .map(x -> " [race " + catalogue.number(x) + ", " + x.name() + "]").findFirst().orElse("");
            out.add(line + (n > 1 ? " (x" + n + ")" : "") + race);
        });
        return out;
    }

    /**
     * The cycles on a fresh guest, repeated up to repeat times in a row with a check after each time (a
     * storm's failure depends on its threads' timing as much as on its operations): the failing result, or
     * null when every repetition was clean.
     */
    private StormResult replay(List<List<StormOp>> cycles, StormFamilies families, StormSetup setup, int repeat,
            boolean verbose) throws Exception {
        List<List<StormOp>> repeated = new ArrayList<>();
        for (int k = 0; k < repeat; k++) {
            repeated.addAll(cycles);
        }
        StormResult r = storm(repeated, families, setup.checkingEvery(cycles.size()), !verbose);
        if (r.clean()) {
            out.printf("replay of %d cycles: clean in %d repetitions%n", cycles.size(), repeat);
            return null;
        }
        if (verbose) {
            printFailure(r, setup.checkingEvery(cycles.size()), repeated.size());
            out.println(r.summary());
        }
        out.printf("replay of %d cycles: failed in repetition %d of %d%n", cycles.size(),
                (r.cycles() + cycles.size() - 1) / cycles.size(), repeat);
        return r;
    }

    /**
     * The fewest cycles (an operation each, or two at once) that still fail within the repetitions:
     * chunks of cycles left out while the rest fails, halving the chunk when none can go (delta debugging).
     */
    private boolean shrink(List<List<StormOp>> cycles, StormFamilies families, StormSetup setup, int repeat)
            throws Exception {
        int replays = 1;
        if (replay(cycles, families, setup, repeat, true) == null) {
            throw new IllegalArgumentException("the operations did not fail in " + repeat + " repetitions: nothing"
                    + " to shrink (give a larger --repeat, or the operations a failing storm printed)");
        }
        List<List<StormOp>> best = new ArrayList<>(cycles);
        int chunk = Math.max(1, best.size() / 2);
        while (replays < MAX_SHRINK_REPLAYS) {
            boolean cut = false;
            for (int start = 0; start < best.size() && best.size() > 1 && replays < MAX_SHRINK_REPLAYS;) {
                List<List<StormOp>> candidate = new ArrayList<>(best.subList(0, start));
                candidate.addAll(best.subList(Math.min(best.size(), start + chunk), best.size()));
                replays++;
                if (!candidate.isEmpty() && replay(candidate, families, setup, repeat, false) != null) {
                    best = candidate;
                    cut = true;
                } else {
                    start += chunk;
                }
            }
            if (!cut && chunk == 1) {
                break;
            }
            chunk = Math.max(1, cut ? chunk : chunk / 2);
        }
        out.printf("shrunk %d cycles to %d in %d replays%nreplay: lab:storm --replay '%s' %s%n", cycles.size(),
                best.size(), replays, StormOp.cycles(best), setup.options());
        return true;
    }

    private static String or(String given, String otherwise) {
        return given == null || given.isEmpty() ? otherwise : given;
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
    }
}
