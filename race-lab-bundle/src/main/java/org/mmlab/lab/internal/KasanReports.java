package org.mmlab.lab.internal;

/** What the race lab reads in a KASAN report beyond its first line (mm-core's Kasan prints it as the kernel does). */
final class KasanReports {
    private KasanReports() {
    }

    /** The report's "Freed by task" section, one stack frame a line, or "" (nothing freed, or no KASAN report). */
    static String freedBy(String report) {
        int from = report.indexOf("\nFreed by task ");
        if (from < 0) {
            return "";
        }
        int to = report.indexOf("\nThe buggy address", from);
        return report.substring(from + 1, to < 0 ? report.length() : to);
    }
}
