package org.mmlab.lab.internal;

import static org.mmlab.lab.internal.StormArgs.given;

import java.util.Arrays;
import java.util.List;

import org.mmlab.lab.internal.records.RecordSink;
import org.mmlab.lab.internal.records.Shard;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * lab:storm's options, every one checked before anything runs: a value that is null (an unset variable),
 * empty, of the wrong kind or out of range, and an option that the command it is given to does not take,
 * is refused in one line that says what is allowed.
 *
 * @param drivers the families named by --drivers, empty when it was not given (every registered one)
 * @param replay  the cycles to replay, or null
 * @param shrink  the cycles to shrink, or null
 * @param storms  the campaign's storms: storm k (from 0) is seeded with the setup's seed + k
 * @param shard   this process's share of the storms
 * @param json    where the records go (a file, or - for the console), or null without --json
 */
record StormOptions(StormSetup setup, int cycles, List<String> drivers, List<StormOp.Kind> ops, String replay,
        String shrink, int repeat, int storms, Shard shard, String json) {
    /** The plan holds every cycle: a million is about 50 MB. */
    static final int MAX_CYCLES = 1_000_000;
    /** Operations when --ops is not given: refresh also refreshes the bundles that import a driver's API. */
    static final String DEFAULT_OPS = "stop,uninstall,update,config";
    /** A replay's repetitions at most: each is the whole replay again. */
    static final int MAX_REPEAT = 1000;
    /** A campaign's storms at most: as many as a campaign's shards. */
    static final int MAX_STORMS = Shard.MAX_COUNT;

    static StormOptions of(StormArgs a) {
        long seed = CommandArgs.number("--seed", or("--seed", a.seed(), "1"), Long.MIN_VALUE, Long.MAX_VALUE);
        MigrationContract contract = MigrationContract.parse(or("--contract", a.contract(), "2025"));
        ModulePolicy policy = ModulePolicy.parse(or("--policy", a.policy(), "none"));
        String leakPath = or("--leak-path", a.leakPath(), LeakPathSetting.V38);
        int checkEvery = CommandArgs.intNumber("--check-every", or("--check-every", a.checkEvery(), "100"), 1,
                MAX_CYCLES);
        int repeat = CommandArgs.intNumber("--repeat", or("--repeat", a.repeat(), "20"), 1, MAX_REPEAT);
        int cycles = CommandArgs.intNumber("--cycles", or("--cycles", a.cycles(), "100"), 1, MAX_CYCLES);
        List<String> drivers = list(or("--drivers", a.drivers(), ""));
        if (given(a.drivers()) && drivers.isEmpty()) {
            throw new IllegalArgumentException("--drivers names no driver family: give them comma-separated, e.g."
                    + " virtio,vmware (see lab:storm's help), or leave --drivers out for every one");
        }
        List<StormOp.Kind> ops = list(or("--ops", a.ops(), DEFAULT_OPS)).stream().map(StormOp.Kind::parse).distinct()
                .toList();
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("--ops names no operation: use " + StormOp.Kind.allowed());
        }
        String replay = given(a.replay()) ? cycles("--replay", a.replay()) : null;
        String shrink = given(a.shrink()) ? cycles("--shrink", a.shrink()) : null;
        if (replay != null && shrink != null) {
            throw new IllegalArgumentException("give --replay or --shrink, not both");
        }
        boolean again = replay != null || shrink != null;
        if (again && (given(a.cycles()) || given(a.drivers()) || given(a.ops()))) {
            throw new IllegalArgumentException("--cycles, --drivers and --ops make a new storm's cycles: a replay or a"
                    + " shrink runs the cycles it is given (leave them out)");
        }
        if (!again && given(a.repeat())) {
            throw new IllegalArgumentException("--repeat is for --replay and --shrink: a storm runs its cycles once");
        }
        int storms = CommandArgs.intNumber("--storms", or("--storms", a.storms(), "1"), 1, MAX_STORMS);
        Shard shard = Shard.parse(or("--shard", a.shard(), Shard.ALL.toString()));
        String json = given(a.json()) ? CommandArgs.given("--json", a.json()) : null;
        if (json != null && !json.equals(RecordSink.CONSOLE)) {
            CommandArgs.newFile("--json", json); // refused here, before anything runs; written once the storms start
        }
        if (again && (given(a.storms()) || given(a.shard()) || json != null)) {
            throw new IllegalArgumentException("--storms, --shard and --json are a campaign of new storms': a replay or"
                    + " a shrink runs the cycles it is given (leave them out)");
        }
        return new StormOptions(new StormSetup(contract, policy, leakPath, seed, checkEvery), cycles, drivers, ops,
                replay, shrink, repeat, storms, shard, json);
    }

    /** The option's value, or otherwise when it was not given; null (an unset variable) is refused. */
    private static String or(String option, String value, String otherwise) {
        return given(value) ? CommandArgs.given(option, value) : otherwise;
    }

    private static String cycles(String option, String value) {
        if (CommandArgs.given(option, value).isBlank()) {
            throw new IllegalArgumentException(option + " is empty: give the cycles a failing storm printed, e.g. '"
                    + "stop:virtio uninstall:vmware+config:virtio'");
        }
        return value;
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
    }
}
