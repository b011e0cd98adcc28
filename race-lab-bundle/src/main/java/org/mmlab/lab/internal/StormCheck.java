package org.mmlab.lab.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mmlab.mm.admin.CheckResult;

/**
 * What a storm's check found: mm:check on the running guest (conservation, content, the hosts' frames,
 * the devices, no orphan holding pages), the checkers' reports in dmesg since the last check, and the
 * driver modules' states. Pages lost and content mismatches are counted from mm:check's problems, which
 * name each instance (and "... and N more" of the rest): a page no one holds or a frame a host holds in
 * guest use is lost; a page whose content is not what its process wrote, or a guest access to a frame a
 * host holds, is a mismatch.
 */
record StormCheck(long lost, long mismatches, List<String> reports, String verdict, String modules) {
    static final List<String> LOST = List.of("page neither free nor allocated", "host-held frame in guest use");
    static final List<String> MISMATCH = List.of("workload content", "workload data loss",
            "guest access to a host-held frame");
    private static final Pattern MORE = Pattern.compile(": \\.\\.\\. and (\\d+) more$");
    private static final Pattern LEADING_COUNT = Pattern.compile(": (\\d+) ");

    StormCheck {
        reports = List.copyOf(reports);
    }

    boolean clean() {
        return lost == 0 && mismatches == 0 && reports.isEmpty();
    }

    /** The check's counts, with the broken check itself one of the reports. */
    static StormCheck of(CheckResult r, List<String> dmesgReports, List<String> threadFailures, String modules) {
        List<String> reports = new ArrayList<>(dmesgReports);
        reports.addAll(threadFailures);
        if (!r.ok()) {
            reports.add("BUG: mmlab: page conservation broken during the storm: " + r.verdict());
        }
        return new StormCheck(count(r.problems(), LOST), count(r.problems(), MISMATCH), reports, r.verdict(),
                modules);
    }

    /**
     * Instances of these invariants among the problems: a line each, "... and N more" adds N, and the
     * data-loss lines say their own count ("workload data loss: 3 reads since start ...").
     */
    static long count(List<String> problems, List<String> invariants) {
        long n = 0;
        for (String line : problems) {
            for (String inv : invariants) {
                if (!line.startsWith(inv + ": ")) {
                    continue;
                }
                Matcher more = MORE.matcher(line);
                Matcher leading = LEADING_COUNT.matcher(line.substring(inv.length()));
                n += more.find() ? Long.parseLong(more.group(1))
                        : inv.contains("data loss") || inv.contains("access") ? leading.lookingAt()
                                ? Long.parseLong(leading.group(1)) : 1 : 1;
            }
        }
        return n;
    }
}
