package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What lab:race prints, read as the race tests need it: runs that reproduced the race with the script's
 * window open, and clean runs whose window opened (the fix survived it) or closed at a given edge (the
 * fix keeps it from happening), each as lab:races says. A clean run whose window did not open where
 * the catalogue says is no pass.
 */
final class RaceOutput {
    private RaceOutput() {
    }

    /** Every one of runs reproduced the race with its window open, each with a report line matching reportLine. */
    static void assertReproduced(String out, int runs, String reportLine) {
        assertThat(count(out, "(?m)^run \\d+ .*: REPRODUCED; window opened$")).as(out).isEqualTo(runs);
        assertThat(count(out, reportLine)).as(out).isEqualTo(runs);
        assertThat(out).contains("reproduced in " + runs + " of " + runs + " runs; window opened in " + runs + "\n")
                .doesNotContain("NOT as lab:races says");
    }

    /** The setup is the one the race fails under, and every run did: the catalogue's verdict line. */
    static void assertFailsAsTheCatalogueSays(String out) {
        assertThat(out).contains("\nas lab:races says: it fails here, with the window open\n");
    }

    /** Every one of runs opened the script's window and was clean: the fix survives it, as lab:races says. */
    static void assertSurvives(String out, int runs) {
        assertThat(count(out, "(?m)^run \\d+ .*: clean; window opened$")).as(out).isEqualTo(runs);
        assertClean(out);
        assertThat(out).contains("reproduced in 0 of " + runs + " runs; window opened in " + runs + "\n")
                .contains("\nas lab:races says: the window opens and the run survives it\n");
    }

    /**
     * Every one of runs was clean because the fix closed the window at edge ("a@p#1 < b@q#1"): every other
     * edge of the script happened in its order, that one could not, as lab:races says.
     */
    static void assertClosesAt(String out, int runs, String edge) {
        assertThat(count(out, "(?m)^run \\d+ .*: clean; window closed at " + Pattern.quote(edge) + " \\(")).as(out)
                .isEqualTo(runs);
        assertClean(out);
        assertThat(out).contains("reproduced in 0 of " + runs + " runs; window closed in " + runs + " at " + edge + "\n")
                .contains("\nas lab:races says: it closes the window at " + edge + "\n");
    }

    private static void assertClean(String out) {
        assertThat(out).doesNotContain("BUG:").doesNotContain("WARNING:").doesNotContain("corruption")
                .doesNotContain("failure:");
    }

    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
