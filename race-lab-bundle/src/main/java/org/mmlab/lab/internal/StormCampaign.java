package org.mmlab.lab.internal;

import java.util.List;
import java.util.stream.IntStream;

import org.mmlab.lab.internal.records.RunRecord;
import org.mmlab.lab.internal.records.Shard;
import org.mmlab.lab.internal.records.StormRun;

/**
 * A campaign of storms, as lab:storm --storms K runs it: storm k (from 0) is a whole storm on a freshly
 * booted guest, its cycles and background seeded with the first seed + k, so that storm k is the same
 * whichever shard runs it. A storm is not split: its cycles act on the guest the cycles before them left, so
 * a share of one storm's cycles on another machine would not run what the storm runs.
 *
 * @param setup  the first storm's setup (its seed is the campaign's first seed)
 * @param cycles each storm's cycles
 * @param storms how many storms
 */
record StormCampaign(StormSetup setup, int cycles, List<String> drivers, List<StormOp.Kind> ops, int storms) {
    /** The race a storm's record names: a storm reproduces no catalogued race. */
    static final String RACE = "storm";

    /** The command that names the campaign's storms, without --shard and --json. */
    String command() {
        return "lab:storm --storms " + storms + " " + plan() + " " + setup.options();
    }

    /** Storm k's setup: seeded with the first seed + k. */
    StormSetup storm(int k) {
        return setup.seeded(setup.seed() + k);
    }

    /** What each storm's cycles are made of, as lab:storm takes it. */
    private String plan() {
        return "--cycles " + cycles + " --drivers " + String.join(",", drivers) + " --ops "
                + String.join(",", ops.stream().map(StormOp.Kind::value).toList());
    }

    /** A storm's cycles, seed and checks as lab:storm takes them (with the setup's guest(): the storm alone). */
    String schedule(StormSetup s) {
        return plan() + " --seed " + s.seed() + " --check-every " + s.checkEvery();
    }

    /** The command that runs storm k alone. */
    String alone(int k) {
        return "lab:storm " + plan() + " " + storm(k).options();
    }

    /** The storms shard runs, by their number in the campaign. */
    List<Integer> of(Shard shard) {
        return IntStream.range(0, shard.runs(storms)).map(shard::run).boxed().toList();
    }

    /**
     * Storm k's run record: clean or failed; its report is its first checker report, else mm:check's first
     * problem; its replay is lab:storm --replay of the cycles since its last clean check when it failed, and
     * the storm's own command when it did not.
     */
    RunRecord record(int k, StormResult r, double ms) {
        StormSetup s = storm(k);
        boolean clean = r.clean();
        String report = !r.last().reports().isEmpty() ? r.last().reports().get(0)
                : r.last().problems().isEmpty() ? null : r.last().problems().get(0);
        String trace = clean ? null : StormOp.cycles(r.failing());
        return new RunRecord("run", command(), k, RACE, setup.guest(), schedule(s), RACE, s.seed(), null, null,
                clean ? RunRecord.CLEAN : RunRecord.FAILED, report, report == null ? null : RunRecord.signature(report),
                r.last().reports(), null, null, null, null, trace, trace == null ? null : RunRecord.hash(trace),
                clean ? alone(k) : replay(trace, s), RunRecord.millis(ms), new StormRun(r.cycles(), cycles,
                        r.last().lost(), r.last().mismatches(), r.last().problems(), r.ops(), r.events(),
                        r.background(), clean ? null : shrink(trace, s)));
    }

    /** lab:storm --replay of these cycles under the setup. */
    static String replay(String cycles, StormSetup s) {
        return "lab:storm --replay '" + cycles + "' " + s.options();
    }

    /** lab:storm --shrink of these cycles under the setup. */
    static String shrink(String cycles, StormSetup s) {
        return "lab:storm --shrink '" + cycles + "' " + s.options();
    }
}
