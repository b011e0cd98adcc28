package org.mmlab.lab.internal;

import java.util.List;

import org.mmlab.lab.RaceOutcome;
import org.mmlab.lab.internal.sched.Strategies;

/**
 * A setup under which a race's script is clean, and how: the fix closes the window (the edges of the
 * script that can no longer happen in their order; every other edge happened) or keeps it open and
 * survives it (every edge happened in its order, and no checker reported anything). A clean run whose
 * window did not open where the catalogue says it does is not a pass.
 *
 * @param setup  the contract, policy and variant
 * @param closes the script's edges the fix keeps from happening ("a@p#1 &lt; b@q#1"), in the script's
 *               order; empty when the window opens and the run survives it
 */
public record Pass(Setup setup, List<String> closes) {
    public Pass {
        closes = List.copyOf(closes);
    }

    /** The fix keeps the window open and the run survives it. */
    static Pass survives(Setup setup) {
        return new Pass(setup, List.of());
    }

    /** The fix closes the window: these edges of the script ("a@p &lt; b@q, ...") can no longer happen. */
    static Pass closes(Setup setup, String edges) {
        return new Pass(setup, Strategies.edges(edges));
    }

    /** What the catalogue says of a run under this setup, e.g. "closes the window at a@p#1 &lt; b@q#1". */
    public String claim() {
        return closes.isEmpty() ? "the window opens and the run survives it"
                : "it closes the window at " + String.join(", ", closes);
    }

    /** The run did what the catalogue says: clean, and its window opened or closed exactly so. */
    public boolean holdsFor(RaceOutcome run) {
        return !run.reproduced() && run.reports().isEmpty() && run.failure() == null && run.unmet().equals(closes);
    }

    @Override
    public String toString() {
        return setup + " (" + (closes.isEmpty() ? "the window opens; it survives" : "closes the window at "
                + String.join(", ", closes)) + ")";
    }
}
