package org.mmlab.aeration.shell;

import java.util.List;

import org.mmlab.aeration.internal.HintingComparison;
import org.mmlab.aeration.internal.HintingComparison.Row;

/** aerate:compare's table: one line per design, the costs beside off's. */
final class CompareTable {
    private CompareTable() {
    }

    static String text(List<Row> rows, long seed, int rounds) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("aerate:compare: seed %d, %d rounds of %d allocations (order 0-9, written) and half"
                + " of them freed, then the pending work; a fresh guest per design%n", seed, rounds,
                HintingComparison.ALLOCS_PER_ROUND));
        sb.append(String.format("%-10s %6s %12s %12s %14s %14s %-30s %s%n", "design", "hints", "pages hinted",
                "reallocated", "alloc ns", "free ns", "zone->lock (us, sections, max)", "host holds (MiB): after the"
                        + " first pass, then each round"));
        Row off = rows.get(0);
        for (Row r : rows) {
            StringBuilder held = new StringBuilder();
            for (long m : r.heldMib()) {
                held.append(held.length() == 0 ? "" : " ").append(m);
            }
            sb.append(String.format("%-10s %6d %12d %12d %14s %14s %-30s %s%n", r.design(), r.hints(), r.pagesHinted(),
                    r.reallocated(), cost(r.allocNs(), off.allocNs()), cost(r.freeNs(), off.freeNs()),
                    r.lockHeldUs() + ", " + r.lockSections() + ", " + r.lockMaxUs(), held));
        }
        sb.append("reallocated: frames the host held that the guest wrote again (hinted, then allocated: wasted work);"
                + " alloc and free: medians, x off's\n");
        return sb.toString();
    }

    /** A median in ns, and its ratio to off's. */
    private static String cost(long ns, long offNs) {
        return offNs == 0 ? Long.toString(ns) : String.format("%d %.2fx", ns, (double) ns / offNs);
    }
}
