package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.GuestViews.FreeList;
import org.mmlab.mm.admin.GuestViews.Pageblocks;

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
        for (FreeList l : freeLists(g)) {
            sb.append(String.format("Node %4d, zone %8s, type %12s ", 0, l.zone(), l.migratetype()));
            for (long freecount : l.nrFree()) {
                sb.append(String.format("%s%6d ", freecount >= FREE_LIST_WALK_CAP ? ">" : "", freecount));
            }
            sb.append('\n');
        }
    }

    /** Each populated zone's free lists, per migrate type and order, counted as the kernel walks them. */
    static List<FreeList> freeLists(GuestMemory g) {
        List<FreeList> out = new ArrayList<>();
        Zone.walkZonesInNode(g.zones, (unused, z) -> {
            for (MigrateType mt : MigrateType.values()) {
                List<Long> counts = new ArrayList<>();
                for (int order = 0; order < Mm.NR_PAGE_ORDERS; order++) {
                    // the kernel counts list entries, stopping at the cap; the zone keeps that count
                    counts.add(Math.min(z.nrFree(order, mt), FREE_LIST_WALK_CAP));
                }
                out.add(new FreeList(z.name, mt.kernelName(), counts));
            }
        });
        return out;
    }

    private static void pagetypeinfoShowblockcount(StringBuilder sb, GuestMemory g) {
        sb.append(String.format("\n%-23s", "Number of blocks type "));
        for (MigrateType mt : MigrateType.values()) {
            sb.append(String.format("%12s ", mt.kernelName()));
        }
        sb.append('\n');
        for (Pageblocks p : pageblocks(g)) {
            sb.append(String.format("Node %d, zone %8s ", 0, p.zone()));
            for (long c : p.byType().values()) {
                sb.append(String.format("%12d ", c));
            }
            sb.append('\n');
        }
    }

    /** Each populated zone's pageblocks by migrate type. */
    static List<Pageblocks> pageblocks(GuestMemory g) {
        List<Pageblocks> out = new ArrayList<>();
        Zone.walkZonesInNode(g.zones, (unused, z) -> {
            long[] count = new long[MigrateType.values().length];
            for (long pfn = z.startPfn; pfn < z.endPfn; pfn += Mm.PAGEBLOCK_NR_PAGES) {
                count[g.map.pageblockMigratetype((int) pfn).ordinal()]++;
            }
            Map<String, Long> byType = new LinkedHashMap<>();
            for (MigrateType mt : MigrateType.values()) {
                byType.put(mt.kernelName(), count[mt.ordinal()]);
            }
            out.add(new Pageblocks(z.name, byType));
        });
        return out;
    }
}
