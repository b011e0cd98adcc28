package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What lab:race prints, read as the race tests need it: runs reproduced with their report, or clean. */
final class RaceOutput {
    private RaceOutput() {
    }

    /** Every one of runs reproduced the race, and each printed a report line matching reportLine. */
    static void assertReproduced(String out, int runs, String reportLine) {
        assertThat(count(out, "(?m)^run \\d+ .*: REPRODUCED")).as(out).isEqualTo(runs);
        assertThat(count(out, reportLine)).as(out).isEqualTo(runs);
        assertThat(out).contains("reproduced in " + runs + " of " + runs + " runs");
    }

    /** Every one of runs was clean: no checker report, no thread died. */
    static void assertClean(String out, int runs) {
        assertThat(count(out, "(?m)^run \\d+ .*: clean")).as(out).isEqualTo(runs);
        assertThat(out).doesNotContain("BUG:").doesNotContain("corruption").doesNotContain("failure:")
                .contains("reproduced in 0 of " + runs + " runs");
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
