package org.mmlab.lab.internal.sched;

import java.util.List;

/** How the controlled scheduler chooses which simulated thread runs next. */
public interface Strategy {
    /** Points in a row one thread may pass while the others wait before it counts as spinning. */
    int SPIN_LIMIT = 10_000;

    /**
     * Chooses among the threads stopped at a point (never empty), or returns null if none may go on
     * now (a script waits for an event no thread can cause any more). {@code current} is the thread
     * that just reached a point, or null after it finished or blocked; {@code step} counts decisions.
     */
    SimThread pick(List<SimThread> waiting, SimThread current, int step);

    /** Called once before the first decision, with every thread of the run. */
    default void start(List<SimThread> threads) {
    }

    /** A thread passed a point for the n-th time (n from 1): the event NAME@POINT#n ({@link Trace#event}). */
    default void passed(SimThread t, String point, int n) {
    }

    /**
     * How long the run waits, after pick() returned null, for a blocked thread that may yet come to a point
     * (one held on a lock a stopped thread holds cannot: the run does not wait for it) before relax() (ns).
     * 200 ms by default: the blocked thread may be polling for one the strategy holds (a stop waiting at
     * GOING for isolated pages), which no wait would end.
     */
    default long patienceNs() {
        return 200_000_000;
    }

    /**
     * After pick() returned null and the scheduler waited as long as it may: why, and from now on pick()
     * returns a thread. Called each time; the run reports the first answer.
     */
    default String relax() {
        return "no thread may go on";
    }

    /** After the run: the edges of a script whose order did not happen (none: the window opened); empty for others. */
    default List<String> unmet() {
        return List.of();
    }

    /** What to type to run this strategy again, e.g. "pct --seed 7 --depth 3". */
    String describe();
}
