package org.mmlab.mm.internal;

/**
 * Models mm/vmstat.c zoneinfo_show_print() (v6.18): /proc/zoneinfo, each zone's free pages, watermarks,
 * spans, lowmem reserves, counters and per-cpu pagesets, read with its zone->lock held. As in /proc/vmstat
 * (VmstatView), only the counters the simulation keeps (VmItem) are listed. What the lab does not model is
 * printed as a kernel without it prints it: boost 0 (no watermark boosting), cma 0 (no CMA), "vm stats
 * threshold: 0" (no per-cpu counter deltas: every update goes straight to the zone, as a 0 threshold would)
 * and node_unreclaimable 0 (no kswapd).
 */
final class Zoneinfo {
    private Zoneinfo() {
    }

    /** /proc/zoneinfo as the kernel prints it. */
    static String show(GuestMemory g) {
        boolean[] first = {true};
        return Zone.walkZonesInNode(g.zones, (sb, z) -> {
            print(sb, g, z, first[0]);
            first[0] = false;
        });
    }

    private static void print(StringBuilder sb, GuestMemory g, Zone z, boolean firstPopulated) {
        sb.append(String.format("Node %d, zone %8s", 0, z.name));
        if (firstPopulated) {
            sb.append("\n  per-node stats");
            for (VmItem item : VmItem.values()) {
                if (item.kind() == VmItem.Kind.NODE) {
                    stat(sb, item.kernelName(), Long.parseLong(VmstatView.value(g, item)));
                }
            }
        }
        sb.append(String.format("\n  pages free     %d\n        boost    %d\n        min      %d"
                + "\n        low      %d\n        high     %d\n        promo    %d\n        spanned  %d"
                + "\n        present  %d\n        managed  %d\n        cma      %d",
                z.freePages, 0, z.watermark[Zone.WMARK_MIN], z.watermark[Zone.WMARK_LOW],
                z.watermark[Zone.WMARK_HIGH], z.watermark[Zone.WMARK_PROMO], z.endPfn - z.startPfn,
                z.presentPages, z.managedPages, 0));
        sb.append("\n        protection: (").append(z.lowmemReserve[0]);
        for (int i = 1; i < z.lowmemReserve.length; i++) {
            sb.append(", ").append(z.lowmemReserve[i]);
        }
        sb.append(')');
        for (VmItem item : VmItem.values()) {
            if (item.kind() == VmItem.Kind.ZONE) {
                stat(sb, item.kernelName(), VmstatView.zonePageState(g, z, item));
            }
        }
        sb.append("\n  pagesets");
        for (PerCpuPages pcp : z.perCpuPageset) {
            sb.append(String.format("\n    cpu: %d\n              count:    %d\n              high:     %d"
                    + "\n              batch:    %d\n              high_min: %d\n              high_max: %d"
                    + "\n  vm stats threshold: %d", pcp.cpu, pcp.count, pcp.high, pcp.batch, pcp.highMin,
                    pcp.highMax, 0));
        }
        sb.append(String.format("\n  node_unreclaimable:  %d\n  start_pfn:           %d\n", 0, z.startPfn));
    }

    /** One counter line: "\n      %-12s %lu". */
    private static void stat(StringBuilder sb, String name, long value) {
        sb.append(String.format("\n      %-12s %d", name, value));
    }
}
