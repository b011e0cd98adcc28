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
 * name each instance (and "... and N more" of the rest): a page no one holds, a frame a host holds in
 * guest use, or a page of an orphaned balloon device (its driver went without removing it: nothing
 * will deflate it) is lost; a page whose content is not what its process wrote, or a guest access to a
 * frame a host holds, is a mismatch. races says, for each report that is a catalogued race's, which race
 * (" [race N, NAME]", or "" beside the others).
 */
record StormCheck(long lost, long mismatches, List<String> reports, String verdict, List<String> problems,
        String modules, List<String> races) {
    static final List<String> LOST = List.of("page neither free nor allocated", "host-held frame in guest use");
    static final List<String> MISMATCH = List.of("workload content", "workload data loss",
            "guest access to a host-held frame");
    /** balloon-api's check of a device whose driver stopped without removing it. */
    private static final Pattern ORPHANED = Pattern.compile("^bundle invariant: balloon: .* holds (\\d+) pages .*"
            + " \\(orphaned\\)$");
    private static final Pattern MORE = Pattern.compile(": \\.\\.\\. and (\\d+) more$");
    private static final Pattern LEADING_COUNT = Pattern.compile(": (\\d+) ");

    StormCheck {
        reports = List.copyOf(reports);
        problems = List.copyOf(problems);
        races = List.copyOf(races);
    }

    boolean clean() {
        return lost == 0 && mismatches == 0 && reports.isEmpty();
    }

    /**
     * The check's counts, with the broken check itself one of the reports; each of dmesg's reports (whole, as
     * {@link org.mmlab.lab.CheckerReports#whole} gives them) by its first line, named after the race it is.
     */
    static StormCheck of(CheckResult r, List<String> dmesgReports, List<String> threadFailures, String modules) {
        List<String> reports = new ArrayList<>(
                dmesgReports.stream().map(w -> w.lines().findFirst().orElse("")).toList());
        reports.addAll(threadFailures);
        if (!r.ok()) {
            reports.add("BUG: mmlab: page conservation broken during the storm: " + r.verdict());
        }
        Catalogue catalogue = Catalogue.all();
        List<String> races = new ArrayList<>(dmesgReports.stream().map(catalogue::naming).toList());
        while (races.size() < reports.size()) {
            races.add("");
        }
        return new StormCheck(count(r.problems(), LOST) + orphaned(r.problems()), count(r.problems(), MISMATCH), reports, r.verdict(),
                r.problems(), modules, races);
    }

    /**
     * Instances of these invariants among the problems: a line each, "... and N more" adds N, and a line
     * that starts with its own count ("workload data loss: 3 reads since start ...") counts that many.
     */
    static long count(List<String> problems, List<String> invariants) {
        long n = 0;
        for (String line : problems) {
            for (String inv : invariants) {
                if (line.startsWith(inv + ": ")) {
                    n += instances(line, inv.length());
                }
            }
        }
        return n;
    }

    /** The pages of orphaned balloon devices. */
    static long orphaned(List<String> problems) {
        long n = 0;
        for (String line : problems) {
            Matcher m = ORPHANED.matcher(line);
            if (m.matches()) {
                n += Long.parseLong(m.group(1));
            }
        }
        return n;
    }

    private static long instances(String line, int invariantEnd) {
        Matcher more = MORE.matcher(line);
        if (more.find()) {
            return Long.parseLong(more.group(1));
        }
        Matcher own = LEADING_COUNT.matcher(line).region(invariantEnd, line.length());
        return own.lookingAt() ? Long.parseLong(own.group(1)) : 1;
    }
}
