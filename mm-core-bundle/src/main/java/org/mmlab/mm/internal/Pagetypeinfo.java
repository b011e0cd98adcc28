package org.mmlab.mm.internal;

import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;

/**
 * Models mm/vmstat.c pagetypeinfo_show(): /proc/pagetypeinfo, the free blocks of each order per
 * migratetype, then how many pageblocks each migratetype owns. The kernel is built as the
 * simulation is: CONFIG_MEMORY_ISOLATION on (so "Isolate" is a column), CONFIG_CMA off, and no
 * page_owner=on at boot (so no "Number of mixed blocks" table).
 */
public final class Pagetypeinfo {
    /** The cap on one free-list walk: a longer list prints as ">100000". */
    static final long FREE_LIST_WALK_CAP = 100000;

    private Pagetypeinfo() {
    }

    /** /proc/pagetypeinfo as the kernel prints it for node 0. */
    public static String show(GuestMemory g) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("Page block order: %d\n", Mm.PAGEBLOCK_ORDER));
        sb.append(String.format("Pages per block:  %d\n", Mm.PAGEBLOCK_NR_PAGES));
        sb.append('\n');
        pagetypeinfoShowfree(sb, g);
        pagetypeinfoShowblockcount(sb, g);
        return sb.toString();
    }

    private static void pagetypeinfoShowfree(StringBuilder sb, GuestMemory g) {
        sb.append(String.format("%-43s ", "Free pages count per migrate type at order"));
        for (int order = 0; order < Mm.NR_PAGE_ORDERS; order++) {
            sb.append(String.format("%6d ", order));
        }
        sb.append('\n');
        sb.append(Zone.walkZonesInNode(g.zones, (out, z) -> {
            for (MigrateType mt : MigrateType.values()) {
                out.append(String.format("Node %4d, zone %8s, type %12s ", 0, z.name, mt.kernelName()));
                for (int order = 0; order < Mm.NR_PAGE_ORDERS; order++) {
                    // the kernel counts list entries, stopping at the cap; the zone keeps that count
                    long freecount = z.nrFree(order, mt);
                    boolean overflow = freecount >= FREE_LIST_WALK_CAP;
                    if (overflow) {
                        freecount = FREE_LIST_WALK_CAP;
                    }
                    out.append(String.format("%s%6d ", overflow ? ">" : "", freecount));
                }
                out.append('\n');
            }
        }));
    }

    private static void pagetypeinfoShowblockcount(StringBuilder sb, GuestMemory g) {
        sb.append(String.format("\n%-23s", "Number of blocks type "));
        for (MigrateType mt : MigrateType.values()) {
            sb.append(String.format("%12s ", mt.kernelName()));
        }
        sb.append('\n');
        sb.append(Zone.walkZonesInNode(g.zones, (out, z) -> {
            long[] count = new long[MigrateType.values().length];
            for (long pfn = z.startPfn; pfn < z.endPfn; pfn += Mm.PAGEBLOCK_NR_PAGES) {
                count[g.map.pageblockMigratetype((int) pfn).ordinal()]++;
            }
            out.append(String.format("Node %d, zone %8s ", 0, z.name));
            for (long c : count) {
                out.append(String.format("%12d ", c));
            }
            out.append('\n');
        }));
    }
}
