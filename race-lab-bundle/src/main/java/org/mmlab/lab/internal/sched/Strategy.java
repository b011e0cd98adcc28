package org.mmlab.lab.internal.sched;

import java.util.List;

/** How the controlled scheduler chooses which simulated thread runs next. */
public interface Strategy {
    /**
     * Chooses among the threads stopped at a point (never empty), or returns null if none may go on
     * now (a script waits for an event no thread can cause any more). {@code current} is the thread
     * that just reached a point, or null after it finished or blocked; {@code step} counts decisions.
     */
    SimThread pick(List<SimThread> waiting, SimThread current, int step);

    /** Called once before the first decision, with every thread of the run. */
    default void start(List<SimThread> threads) {
    }

    /** A thread passed a point: {@code event} is NAME@POINT#n. */
    default void passed(SimThread t, String event) {
    }

    /** After pick() returned null: why, and from now on pick among all waiting threads. */
    default String relax() {
        return "no thread may go on";
    }

    /** What to type to run this strategy again, e.g. "pct --seed 7 --depth 3". */
    String describe();
}
