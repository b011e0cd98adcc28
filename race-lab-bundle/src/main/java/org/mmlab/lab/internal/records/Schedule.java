package org.mmlab.lab.internal.records;

/**
 * Which schedule a run ran, as lab:explore takes it: the strategy and its seed, PCT's depth and steps (null
 * where the strategy has none). Two runs of one race and setup with equal schedules make the same decisions.
 */
public record Schedule(String strategy, Long seed, Integer depth, Integer steps) {
    public static final Schedule SCRIPTED = new Schedule("scripted", null, null, null);

    public static Schedule random(long seed) {
        return new Schedule("random", seed, null, null);
    }

    public static Schedule pct(long seed, int depth, int steps) {
        return new Schedule("pct", seed, depth, steps);
    }

    /** "pct --seed 5 --depth 3 --steps 26", "random --seed 5", "scripted". */
    @Override
    public String toString() {
        return strategy + (seed == null ? "" : " --seed " + seed) + (depth == null ? "" : " --depth " + depth)
                + (steps == null ? "" : " --steps " + steps);
    }
}
