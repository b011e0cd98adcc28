package org.mmlab.mm.internal;

import org.mmlab.mm.Mm;

/**
 * Models mm/vmstat.c frag_show(): /proc/buddyinfo, the number of free blocks of each order in
 * every populated zone, one line per zone.
 */
public final class Buddyinfo {
    private Buddyinfo() {
    }

    /** /proc/buddyinfo as the kernel prints it. */
    public static String show(GuestMemory g) {
        return Zone.walkZonesInNode(g.zones, Buddyinfo::fragShowPrint);
    }

    private static void fragShowPrint(StringBuilder sb, Zone z) {
        sb.append(String.format("Node %d, zone %8s ", 0, z.name));
        for (int order = 0; order < Mm.NR_PAGE_ORDERS; order++) {
            sb.append(String.format("%6d ", z.nrFree(order)));
        }
        sb.append('\n');
    }
}
