package org.mmlab.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * The checkers' reports in the kernel log: the first line of each report KASAN, KMSAN, lockdep, the list
 * and VM debug checks, mm:check's page-conservation checker and the module loader write (what a kernel
 * engineer greps dmesg for), without its timestamp.
 */
public final class CheckerReports {

    private CheckerReports() {}

    /** The first line of every report in these dmesg lines, oldest first. */
    public static List<String> in(List<String> dmesg) {
        return whole(dmesg).stream().map(r -> r.lines().findFirst().orElse("")).toList();
    }

    /**
     * Every report in these dmesg lines whole, oldest first: its first line and the lines after it up to the
     * next report's first line, without their timestamps (what KASAN says of the object, e.g. who freed it).
     */
    public static List<String> whole(List<String> dmesg) {
        List<String> out = new ArrayList<>();
        StringBuilder report = null;
        for (String l : dmesg) {
            String text = l.replaceFirst("^\\[[ 0-9.]+\\] ", "");
            if (firstLine(text)) {
                if (report != null) {
                    out.add(report.toString());
                }
                report = new StringBuilder(text);
            } else if (report != null) {
                report.append('\n').append(text);
            }
        }
        if (report != null) {
            out.add(report.toString());
        }
        return out;
    }

    private static boolean firstLine(String text) {
        return text.startsWith("BUG:") || text.startsWith("WARNING:") || text.contains("corruption")
                || text.startsWith("kernel BUG") || text.contains("possible circular locking dependency")
                || text.startsWith("rmmod: ERROR");
    }
}
