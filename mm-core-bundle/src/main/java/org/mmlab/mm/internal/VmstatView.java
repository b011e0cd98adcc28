package org.mmlab.mm.internal;

/**
 * Models mm/vmstat.c vmstat_start()/vmstat_show(): /proc/vmstat, one "name value" line per
 * counter in vmstat_text[] order (zone items summed over the zones, then node items, then vm
 * events), ending with the deprecated "nr_unstable 0" the kernel still appends for userspace.
 * Only the counters the simulation keeps (VmItem) are listed.
 */
public final class VmstatView {
    private VmstatView() {
    }

    /** /proc/vmstat as the kernel prints it, for the counters in {@link VmItem}. */
    public static String show(GuestMemory g) {
        StringBuilder sb = new StringBuilder();
        for (VmItem item : VmItem.values()) {
            sb.append(item.kernelName()).append(' ').append(value(g, item)).append('\n');
        }
        sb.append("nr_unstable 0\n");
        return sb.toString();
    }

    /** The value vmstat_start() snapshots: global_zone_page_state(), global_node_page_state_pages(), all_vm_events(). */
    static String value(GuestMemory g, VmItem item) {
        switch (item.kind()) {
            case ZONE:
                // global_zone_page_state(): per-cpu drift can make the sum negative for a moment; it prints 0
                return Long.toString(Math.max(0, globalZonePageState(g, item)));
            case NODE:
                return Long.toString(Math.max(0, g.vmstat.get(item)));
            default:
                // vm events are unsigned long counters
                return Long.toUnsignedString(g.vmstat.get(item));
        }
    }

    /** global_zone_page_state(): the zone counters the zones themselves keep, summed. */
    static long globalZonePageState(GuestMemory g, VmItem item) {
        long n = 0;
        for (Zone z : g.zones) {
            n += zonePageState(g, z, item);
        }
        return n;
    }

    /** zone_page_state(): one zone's counter. */
    static long zonePageState(GuestMemory g, Zone z, VmItem item) {
        return switch (item) {
            case NR_FREE_PAGES -> z.freePages;
            case NR_ZONE_INACTIVE_ANON -> g.lruvec.zoneInactiveAnon(z.idx);
            default -> throw new IllegalArgumentException(item + " is not a zone counter");
        };
    }
}
