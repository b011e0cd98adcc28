package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** stop_machine()'s striped read sections: every task, however long the lab has run, has a stripe. */
class StopMachineTest {
    @Test
    void everyThreadIdGetsAStripeInRangeAndTheStripesSpread() {
        Set<Integer> used = new HashSet<>();
        for (long id : new long[] {1, 52_999, 53_020, 100_000, 1L << 31, Long.MAX_VALUE}) {
            int stripe = StopMachine.stripe(id);
            assertThat(stripe).as("thread id %d", id).isBetween(0, 63 * 16);
            assertThat(stripe % 16).as("a stripe starts a padded line").isZero();
        }
        for (long id = 1; id <= 1000; id++) {
            used.add(StopMachine.stripe(id));
        }
        assertThat(used).as("1000 consecutive ids use (nearly) every one of 64 stripes").hasSizeGreaterThan(56);
    }
}
