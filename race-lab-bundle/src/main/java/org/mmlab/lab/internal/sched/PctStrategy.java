package org.mmlab.lab.internal.sched;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * PCT(seed, depth) (Burckhardt et al., ASPLOS 2010): every thread gets a random distinct priority
 * above depth; the highest-priority waiting thread always runs; at depth - 1 change points, drawn at
 * random among the first {@code steps} decisions, the running thread drops to priority i (below all
 * initial ones). A bug of depth d is found with probability at least 1/(n k^(d-1)).
 */
final class PctStrategy implements Strategy {
    private final long seed;
    private final int depth;
    private final int steps;
    private final SplittableRandom rnd;
    /** Each thread's priority, by its id (its index among the run's threads). */
    private int[] priority;
    private int[] changeAt;

    PctStrategy(long seed, int depth, int steps) {
        if (depth < 1 || steps < 1) {
            throw new IllegalArgumentException("pct needs depth >= 1 and steps >= 1: depth " + depth + ", steps " + steps);
        }
        this.seed = seed;
        this.depth = depth;
        this.steps = steps;
        this.rnd = new SplittableRandom(seed);
    }

    @Override
    public void start(List<SimThread> threads) {
        int n = threads.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int j = rnd.nextInt(i + 1);
            int x = order[i];
            order[i] = order[j];
            order[j] = x;
        }
        priority = new int[n];
        for (int i = 0; i < n; i++) {
            priority[threads.get(i).id] = depth + order[i];
        }
        changeAt = new int[depth - 1];
        for (int i = 0; i < changeAt.length; i++) {
            changeAt[i] = rnd.nextInt(steps);
        }
        Arrays.sort(changeAt);
    }

    @Override
    public SimThread pick(List<SimThread> waiting, SimThread current, int step) {
        if (current != null) {
            for (int i = 0; i < changeAt.length; i++) {
                if (changeAt[i] == step) {
                    priority[current.id] = depth - 1 - i;
                }
            }
        }
        SimThread best = waiting.get(0);
        for (SimThread t : waiting) {
            if (priority[t.id] > priority[best.id]) {
                best = t;
            }
        }
        return best;
    }

    @Override
    public String describe() {
        return "pct --seed " + seed + " --depth " + depth + " --steps " + steps;
    }
}
