package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what the mm commands print: the few numbers the tests compare. */
final class MmOutput {
    private static final Pattern MEM_FREE = Pattern.compile("(?m)^MemFree:\\s+(\\d+) kB$");
    /**
     * FragmentationShares.describe(): "free in order>=9 blocks: 3.1% (12 of 345 free pages); best the
     * layout allows: 91.2% (1868 clean pageblocks of 2048)".
     */
    private static final Pattern SHARES = Pattern.compile("free in order>=9 blocks: ([0-9.]+)% \\((\\d+) of (\\d+) free"
            + " pages\\); best the layout allows: ([0-9.]+)%");

    private MmOutput() {
    }

    /** The last non-blank line, stripped: where mm:check writes its verdict. */
    static String lastLine(String output) {
        String[] lines = output.strip().split("\\R");
        return lines[lines.length - 1].strip();
    }

    /** MemFree of mm:meminfo, in kB. */
    static long memFreeKb(String meminfo) {
        Matcher m = MEM_FREE.matcher(meminfo);
        assertThat(m.find()).as("MemFree line in%n%s", meminfo).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** What the debug checkers reported since boot, from mm:debug's "reports N" line. */
    static long checkerReports(String debug) {
        Matcher m = Pattern.compile("(?m)^reports\\s+(\\d+)$").matcher(debug);
        assertThat(m.find()).as("a line 'reports N' in%n%s", debug).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** A counter line "NAME VALUE" of mm:migration or mm:vmstat. */
    static long counter(String output, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\d+)$").matcher(output);
        assertThat(m.find()).as("a line '%s N' in%n%s", name, output).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** A "label: N pages" line of mm:compact, e.g. migrated or failed. */
    static long compactPages(String output, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(label) + ":\\s+(\\d+) pages").matcher(output);
        assertThat(m.find()).as("a line '%s: N pages' in%n%s", label, output).isTrue();
        return Long.parseLong(m.group(1));
    }

    /**
     * The fragmentation shares one command printed, in order (mm:compact prints two: before and
     * after).
     */
    static List<Shares> shares(String output) {
        List<Shares> all = new ArrayList<>();
        Matcher m = SHARES.matcher(output);
        while (m.find()) {
            all.add(new Shares(Double.parseDouble(m.group(1)) / 100, Long.parseLong(m.group(2)),
                    Long.parseLong(m.group(3)), Double.parseDouble(m.group(4)) / 100, m.group()));
        }
        return all;
    }

    /**
     * One measurement as printed.
     *
     * @param order9Share share of the free pages in free blocks of order >= 9 (0..1)
     * @param order9Pages those pages
     * @param freePages   all free pages
     * @param bestShare   share of the free pages in pageblocks holding no unmovable page: the best
     *                    the layout allows (0..1, to the printed 0.1%)
     * @param line        the line as printed
     */
    record Shares(double order9Share, long order9Pages, long freePages, double bestShare, String line) {
    }

    /**
     * The registrations mm:migration lists for a bundle, in order.
     */
    static List<Owner> owners(String migrateStats, String bundle) {
        List<Owner> rows = new ArrayList<>();
        for (String line : migrateStats.split("\\R")) {
            String[] f = line.trim().split("\\s+", 9);
            if (f.length == 9 && f[0].equals(bundle) && f[1].matches("\\d+")) {
                rows.add(new Owner(f[2], Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]),
                        Long.parseLong(f[6]), Long.parseLong(f[7]), f[8], line));
            }
        }
        return rows;
    }

    /** One row of mm:migration' registry: BUNDLE ID CONT PAGES ISOLATED ISOLATIONS MIGRATED PUTBACK WHAT. */
    record Owner(String contract, long pages, long isolated, long isolations, long migrated, long putBack, String what,
            String line) {
        boolean released() {
            return what.endsWith("(released)");
        }
    }
}
