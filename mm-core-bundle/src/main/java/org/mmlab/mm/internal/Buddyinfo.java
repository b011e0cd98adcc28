package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.List;

import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.GuestViews.FreeArea;

/**
 * Models mm/vmstat.c frag_show(): /proc/buddyinfo, the number of free blocks of each order in
 * every populated zone, one line per zone.
 */
public final class Buddyinfo {
    private Buddyinfo() {
    }

    /** /proc/buddyinfo as the kernel prints it. */
    public static String show(GuestMemory g) {
        StringBuilder sb = new StringBuilder();
        for (FreeArea a : freeAreas(g)) {
            sb.append(String.format("Node %d, zone %8s ", 0, a.zone()));
            for (long n : a.nrFree()) {
                sb.append(String.format("%6d ", n));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Each populated zone's free blocks per order, read under its lock (frag_show_print()). */
    static List<FreeArea> freeAreas(GuestMemory g) {
        List<FreeArea> out = new ArrayList<>();
        Zone.walkZonesInNode(g.zones, (unused, z) -> {
            List<Long> counts = new ArrayList<>();
            for (int order = 0; order < Mm.NR_PAGE_ORDERS; order++) {
                counts.add(z.nrFree(order));
            }
            out.add(new FreeArea(z.name, counts));
        });
        return out;
    }
}
