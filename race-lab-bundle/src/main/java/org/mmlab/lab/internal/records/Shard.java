package org.mmlab.lab.internal.records;

import org.mmlab.mm.CommandArgs;

/**
 * A campaign's share of its runs: shard I of N takes the runs numbered I, I + N, I + 2N, ... (from 0), so
 * N shards together run each of the campaign's runs exactly once, whatever N, and shard 0/1 runs them all.
 * Interleaved rather than in blocks, so that each shard gets as many of a campaign's long and short runs
 * as the others (a run's cost depends on its seed, not on where it is in the range).
 *
 * @param index I, from 0 to count - 1 (a batch engine's array index: JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID)
 * @param count N, from 1 to {@link #MAX_COUNT}
 */
public record Shard(int index, int count) {
    /** The most shards: a bound against a mistyped N, far above any batch array (Slurm's default is 1001). */
    public static final int MAX_COUNT = 100_000;
    /** The whole campaign. */
    public static final Shard ALL = new Shard(0, 1);

    public Shard {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("--shard " + index + "/" + count + ": N must be 1 to " + MAX_COUNT);
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("--shard " + index + "/" + count + ": I must be 0 to " + (count - 1)
                    + " (shards are numbered from 0)");
        }
    }

    /** "I/N" as --shard takes it. */
    public static Shard parse(String text) {
        String t = CommandArgs.given("--shard", text).trim();
        if (!t.matches("[0-9]{1,9}/[0-9]{1,9}")) { // ASCII digits only, and nothing that overflows an int
            throw new IllegalArgumentException("--shard '" + text + "' is not I/N: give this shard's index I (0 to N-1)"
                    + " and the number of shards N (1 to " + MAX_COUNT + "), e.g. 0/4");
        }
        int slash = t.indexOf('/');
        return new Shard(Integer.parseInt(t.substring(0, slash)), Integer.parseInt(t.substring(slash + 1)));
    }

    /** Whether the campaign's run {@code run} (from 0) is this shard's. */
    public boolean includes(long run) {
        return Math.floorMod(run, count) == index;
    }

    /** How many of a campaign's {@code total} runs are this shard's. */
    public int runs(int total) {
        return total <= index ? 0 : (total - index - 1) / count + 1;
    }

    /** The campaign's number (from 0) of this shard's {@code k}-th run (from 0). */
    public int run(int k) {
        return index + k * count;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
