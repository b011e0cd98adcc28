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
        List<String> out = new ArrayList<>();
        for (String l : dmesg) {
            String text = l.replaceFirst("^\\[[ 0-9.]+\\] ", "");
            if (text.startsWith("BUG:") || text.startsWith("WARNING:") || text.contains("corruption")
                    || text.startsWith("kernel BUG") || text.contains("possible circular locking dependency")
                    || text.startsWith("rmmod: ERROR")) {
                out.add(text);
            }
        }
        return out;
    }
}
