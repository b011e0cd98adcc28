package org.mmlab.lab.internal;

import java.util.function.Supplier;

import org.mmlab.lab.internal.sched.Strategy;

/** A strategy as the user wrote it: makes a fresh one for each run, and says how to type it again. */
public interface StrategySpec {
    Strategy create();

    String describe();

    static StrategySpec of(Supplier<Strategy> make, String text) {
        return new StrategySpec() {
            @Override
            public Strategy create() {
                return make.get();
            }

            @Override
            public String describe() {
                return text;
            }
        };
    }
}
