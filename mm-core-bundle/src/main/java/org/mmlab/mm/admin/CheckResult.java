package org.mmlab.mm.admin;

import java.util.ArrayList;
import java.util.List;

/**
 * What mm:check found: every invariant of the whole memory checked at once, with the machine stopped.
 *
 * @param summary  what was checked and counted, a line per part (free lists, pages, LRU, counters, the
 *                 workload, the hosts, each bundle's own check)
 * @param problems each broken invariant's instances (at most a few of each, then "... and N more")
 * @param ok       no invariant is broken
 * @param verdict  "mm:check: OK" or "mm:check: FAIL &lt;first failed invariant&gt;: &lt;count&gt;..."
 */
public record CheckResult(List<String> summary, List<String> problems, boolean ok, String verdict) {
    public CheckResult {
        summary = List.copyOf(summary);
        problems = List.copyOf(problems);
    }

    /** What mm:check prints: the summary, the problems, the verdict last. */
    public List<String> lines() {
        List<String> all = new ArrayList<>(summary);
        all.addAll(problems);
        all.add(verdict);
        return all;
    }

    public String text() {
        return String.join("\n", lines());
    }
}
