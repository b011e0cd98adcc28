package org.mmlab.lab.internal.sched;

import java.util.List;
import java.util.SplittableRandom;

/** random(seed): at every point, any waiting thread with equal chance. */
final class RandomStrategy implements Strategy {
    private final long seed;
    private final SplittableRandom rnd;

    RandomStrategy(long seed) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
    }

    @Override
    public SimThread pick(List<SimThread> waiting, SimThread current, int step) {
        return waiting.get(rnd.nextInt(waiting.size()));
    }

    @Override
    public String describe() {
        return "random --seed " + seed;
    }
}
