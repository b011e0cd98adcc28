package org.mmlab.lab.internal;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.mmlab.lab.LabRuns;
import org.mmlab.lab.internal.records.RecordSink;
import org.mmlab.lab.internal.records.RunRecord;
import org.mmlab.lab.internal.records.Shard;
import org.mmlab.lab.internal.records.SummaryRecord;
import org.mmlab.mm.admin.Compactor;
import org.mmlab.mm.admin.WorkloadControl;

/**
 * lab:storm: a seeded storm, a replay of a failing one's operations, or a shrink of them to the fewest
 * that still fail. Every argument is checked, and refused in one line, before anything runs.
 */
final class StormRuns {
    /** Replays a shrink may spend. */
    static final int MAX_SHRINK_REPLAYS = 40;

    private final LabContext lab;
    private final Compactor compactor;
    private final WorkloadControl workload;
    private final PrintStream out;
    /** Where the storms and replays a user sees are posted, each an entry (a shrink's own replays are not). */
    private final LabRuns board;

    StormRuns(LabContext lab, Compactor compactor, WorkloadControl workload, PrintStream out, LabRuns board) {
        this.lab = lab;
        this.compactor = compactor;
        this.workload = workload;
        this.out = out;
        this.board = board;
    }

    /** Runs what the arguments ask; true when it ends clean (a shrink: when it shrank). */
    boolean run(StormArgs args) throws Exception {
        StormOptions o = StormOptions.of(args);
        StormSetup setup = o.setup();
        try (StormFamilies families = new StormFamilies(lab.context)) {
            String given = o.replay() != null ? o.replay() : o.shrink();
            if (given != null) {
                List<List<StormOp>> cycles = StormOp.parseCycles(given, families.registered());
                families.choose(cycles.stream().flatMap(List::stream).map(StormOp::family).distinct().toList(), lab);
                checkRefresh(cycles.stream().flatMap(List::stream).map(StormOp::kind).toList(), families);
                return o.replay() == null ? shrink(cycles, families, setup, o.repeat())
                        : replay(cycles, families, setup, o.repeat(), true) == null;
            }
            List<String> chosen = families.choose(o.drivers(), lab);
            checkRefresh(o.ops(), families); // for every storm of the campaign, before the first runs
            StormCampaign campaign = new StormCampaign(setup, o.cycles(), chosen, o.ops(), o.storms());
            try (RecordSink records = o.json() == null ? null : RecordSink.open(o.json())) {
                return campaign(campaign, o.shard(), families, records);
            }
        }
    }

    /**
     * The shard's storms of the campaign, one after another, each told as a storm alone is; with records, a
     * run record of each storm as it ends and a summary record. True when every storm ended clean.
     */
    private boolean campaign(StormCampaign c, Shard shard, StormFamilies families, RecordSink records)
            throws Exception {
        PrintStream text = records != null && records.console() ? new PrintStream(OutputStream.nullOutputStream())
                : out;
        List<Integer> storms = c.of(shard);
        boolean many = c.storms() > 1 || shard.count() > 1;
        Map<String, Integer> byOutcome = new TreeMap<>();
        long t0 = System.nanoTime();
        for (int k : storms) {
            StormSetup s = c.storm(k);
            text.printf("storm%s: %d cycles of %s on %s under %s, seed %d, a check every %d cycles%n", many ? " " + (k
                    + 1) + " of " + c.storms() : "", c.cycles(), c.ops().stream().map(StormOp.Kind::value).toList(),
                    c.drivers(), s, s.seed(), s.checkEvery());
            long t1 = System.nanoTime();
            StormResult r = storm(StormPlan.cycles(s.seed(), c.cycles(), c.drivers(), c.ops()), families, s, text,
                    c.alone(k));
            if (!r.clean()) {
                printFailure(text, r, s, c.cycles());
            }
            text.println(r.summary());
            RunRecord record = c.record(k, r, (System.nanoTime() - t1) / 1e6);
            byOutcome.merge(record.outcome(), 1, Integer::sum);
            if (records != null) {
                records.write(record);
            }
        }
        String time = String.format("%d storm%s in %.1f s", storms.size(), storms.size() == 1 ? "" : "s",
                (System.nanoTime() - t0) / 1e9);
        if (many) {
            text.printf("storms: %d of %d%s: %s%ntime: %s%n", storms.size(), c.storms(), shard.count() > 1 ? " (shard "
                    + shard + ")" : "", byOutcome.isEmpty() ? "none in this shard" : byOutcome.entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")), time);
        }
        if (records != null) {
            records.write(new SummaryRecord("summary", c.command(), c.command() + (shard.count() > 1 ? " --shard "
                    + shard : ""), shard.toString(), c.storms(), storms.size(), byOutcome, null, null, null, null,
                    time));
        }
        return byOutcome.getOrDefault(RunRecord.FAILED, 0) == 0;
    }

    /** A refresh that would take the storm's own bundle with it is refused before anything runs. */
    private void checkRefresh(List<StormOp.Kind> kinds, StormFamilies families) {
        if (kinds.contains(StormOp.Kind.REFRESH)) {
            new StormLifecycle(lab, families).checkRefreshable();
        }
    }

    /**
     * A storm of these cycles, printing to {@code to} and posted to the board as what (its progress at each
     * check, its summary at the end); with {@code to} null it prints and posts nothing (a shrink's replays).
     */
    private StormResult storm(List<List<StormOp>> cycles, StormFamilies families, StormSetup setup, PrintStream to,
            String what) throws Exception {
        boolean quiet = to == null;
        to = quiet ? new PrintStream(OutputStream.nullOutputStream()) : to;
        long entry = quiet ? -1 : board.start(what, cycles.size());
        String summary = "stopped";
        try (Storm storm = new Storm(lab, families, setup, compactor, workload)) {
            StormResult r = storm.run(cycles, to, quiet ? (done, line, reports) -> { }
                    : (done, line, reports) -> board.progress(entry, done, 0, line, reports));
            to.printf("operations: %s; bundle events: %s; background: %s%n", r.ops(), r.events(), r.background());
            summary = r.summary();
            return r;
        } catch (Exception e) {
            summary = "stopped: " + e.getMessage();
            throw e;
        } finally {
            if (!quiet) {
                board.end(entry, summary);
            }
        }
    }

    private static void printFailure(PrintStream out, StormResult r, StormSetup setup, int total) {
        int from = r.cycles() - r.failing().size() + 1;
        out.printf("storm FAILED at cycle %d of %d (seed %d, %s): %s%n", r.cycles(), total, setup.seed(), setup,
                r.last().verdict());
        r.last().problems().forEach(line -> out.println("  mm:check: " + line));
        reports(r.last().reports(), r.last().races()).forEach(line -> out.println("  " + line));
        String ops = StormOp.cycles(r.failing());
        out.printf("  operations since the last good check (cycles %d to %d): %s%n", from, r.cycles(), ops);
        out.println("  replay: " + StormCampaign.replay(ops, setup));
        out.println("  shrink: " + StormCampaign.shrink(ops, setup));
    }

    /**
     * Each distinct report once (its first line and the race it is, from races, index for index), with how many
     * times it came ("(x12)") and, when it is a catalogued race's report, which race: the storm found it on its own.
     */
    static List<String> reports(List<String> reports, List<String> races) {
        Map<List<String>, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i < reports.size(); i++) {
            counts.merge(List.of(reports.get(i), races.get(i)), 1, Integer::sum);
        }
        List<String> out = new ArrayList<>();
        counts.forEach((report, n) -> out.add(report.get(0) + (n > 1 ? " (x" + n + ")" : "") + report.get(1)));
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
        StormResult r = storm(repeated, families, setup.checkingEvery(cycles.size()), verbose ? out : null,
                "lab:storm --replay '" + StormOp.cycles(cycles) + "' --repeat " + repeat + " " + setup.options());
        if (r.clean()) {
            out.printf("replay of %d cycles: clean in %d repetitions%n", cycles.size(), repeat);
            return null;
        }
        if (verbose) {
            printFailure(out, r, setup.checkingEvery(cycles.size()), repeated.size());
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
        out.printf("shrunk %d cycles to %d in %d replays%nreplay: %s%n", cycles.size(), best.size(), replays,
                StormCampaign.replay(StormOp.cycles(best), setup));
        return true;
    }
}
