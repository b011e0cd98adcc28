package org.mmlab.lab.internal;

import java.util.List;
import java.util.function.Predicate;

import org.mmlab.lab.RaceOutcome;

/**
 * Whether a batch of scripted runs did what the catalogue says of their setup: under the setup a race
 * fails under, every run reproduces it with the window open; under a pass, every run is clean and its
 * window opened, or closed at exactly the edges the pass names. lab:race prints it last.
 */
public final class Verdict {
    private Verdict() {
    }

    /** "as lab:races says: ..." or "NOT as lab:races says (...): ...", or null for a setup the catalogue lacks. */
    public static String of(Race race, Setup setup, List<RaceOutcome> runs) {
        String claim;
        Predicate<RaceOutcome> holds;
        if (!race.exploration() && setup.equals(race.fails())) {
            claim = "it fails here, with the window open";
            holds = o -> o.reproduced() && o.unmet().isEmpty();
        } else {
            Pass pass = race.passes().stream().filter(p -> p.setup().equals(setup)).findFirst().orElse(null);
            if (pass == null) {
                return null;
            }
            claim = pass.claim();
            holds = pass::holdsFor;
        }
        int otherwise = 0;
        int first = 0;
        for (int k = runs.size() - 1; k >= 0; k--) {
            if (!holds.test(runs.get(k))) {
                otherwise++;
                first = k + 1;
            }
        }
        return otherwise == 0 ? "as lab:races says: " + claim
                : "NOT as lab:races says (" + claim + "): " + otherwise + " of " + runs.size()
                        + " runs did otherwise, the first run " + first;
    }
}
