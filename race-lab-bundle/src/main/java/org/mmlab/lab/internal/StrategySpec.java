package org.mmlab.lab.internal;

/** A strategy as the user wrote it: makes a fresh one for each run, and says how to type it again. */
interface StrategySpec {
    org.mmlab.lab.internal.sched.Strategy create();

    String describe();
}
