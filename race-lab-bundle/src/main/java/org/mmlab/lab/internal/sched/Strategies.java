package org.mmlab.lab.internal.sched;

import java.util.List;

/** The strategies, by the names lab: commands use. */
public final class Strategies {
    private Strategies() {
    }

    public static Strategy scripted(String script) {
        return new ScriptedStrategy(script);
    }

    public static Strategy random(long seed) {
        return new RandomStrategy(seed);
    }

    public static Strategy pct(long seed, int depth, int steps) {
        return new PctStrategy(seed, depth, steps);
    }

    public static Strategy replay(String trace) {
        return new ReplayStrategy(trace);
    }

    /** A script's edges as a run reports them ("a@p#1 < b@q#1"); a clear error for a bad script. */
    public static List<String> edges(String script) {
        return ScriptedStrategy.edges(script).stream().map(Object::toString).toList();
    }
}
