package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.List;

import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.GuestViews.ZoneFragmentation;

/**
 * Models mm/vmstat.c's fragmentation measures (CONFIG_COMPACTION): fill_contig_page_info(),
 * __fragmentation_index(), unusable_free_index() and extfrag_for_order(), and the debugfs files
 * extfrag/extfrag_index and extfrag/unusable_index that print them for every order.
 *
 * <p>The per-zone functions read free_area[].nr_free without zone->lock, as the kernel does
 * (data_race): compaction calls them on a live zone and takes the answer as a hint.
 */
public final class ExtfragIndex {
    private ExtfragIndex() {
    }

    /** struct contig_page_info. */
    private static final class ContigPageInfo {
        long freePages;
        long freeBlocksTotal;
        long freeBlocksSuitable;
    }

    /** fill_contig_page_info(): free pages, free blocks, and free blocks big enough for suitable_order. */
    private static ContigPageInfo fillContigPageInfo(Zone zone, int suitableOrder) {
        ContigPageInfo info = new ContigPageInfo();
        for (int order = 0; order < Mm.NR_PAGE_ORDERS; order++) {
            long blocks = zone.nrFree(order);
            info.freeBlocksTotal += blocks;
            info.freePages += blocks << order;
            if (order >= suitableOrder) {
                info.freeBlocksSuitable += blocks << (order - suitableOrder);
            }
        }
        return info;
    }

    private static void checkOrder(int order) {
        if (order < 0 || order > Mm.MAX_PAGE_ORDER) {
            throw new IllegalArgumentException("order " + order + " is outside 0.." + Mm.MAX_PAGE_ORDER);
        }
    }

    /**
     * __fragmentation_index(): only meaningful when an allocation of this order would fail.
     * -1000 when a suitable block exists; 0 with no free memory; otherwise toward 0 the failure is
     * a lack of memory, toward 1000 it is external fragmentation.
     */
    private static int fragmentationIndex(int order, ContigPageInfo info) {
        long requested = 1L << order;
        if (info.freeBlocksTotal == 0) {
            return 0;
        }
        if (info.freeBlocksSuitable != 0) {
            return -1000;
        }
        return (int) (1000 - (1000 + info.freePages * 1000 / requested) / info.freeBlocksTotal);
    }

    /** unusable_free_index(): the share of free memory (0..1000) too fragmented for this order. */
    private static int unusableFreeIndex(int order, ContigPageInfo info) {
        // no free memory is interpreted as all free memory being unusable
        if (info.freePages == 0) {
            return 1000;
        }
        return (int) ((info.freePages - (info.freeBlocksSuitable << order)) * 1000 / info.freePages);
    }

    /** fragmentation_index(zone, order): compaction's question "would compacting help?". */
    public static int fragmentationIndex(Zone z, int order) {
        checkOrder(order);
        return fragmentationIndex(order, fillContigPageInfo(z, order));
    }

    /** The unusable free space index of a zone at an order (0..1000). */
    public static int unusableFreeIndex(Zone z, int order) {
        checkOrder(order);
        return unusableFreeIndex(order, fillContigPageInfo(z, order));
    }

    /**
     * extfrag_for_order(): the percentage (0..100) of free pages that sit in blocks smaller than
     * 2^order; proactive compaction's fragmentation score is built from it. 0 with no free pages.
     */
    public static int extfragForOrder(Zone z, int order) {
        checkOrder(order);
        ContigPageInfo info = fillContigPageInfo(z, order);
        if (info.freePages == 0) {
            return 0;
        }
        return (int) ((info.freePages - (info.freeBlocksSuitable << order)) * 100 / info.freePages);
    }

    /** debugfs extfrag/extfrag_index. */
    public static String extfragIndex(GuestMemory g) {
        StringBuilder sb = new StringBuilder();
        for (ZoneFragmentation z : indexes(g)) {
            sb.append(String.format("Node %d, zone %8s ", 0, z.zone()));
            for (int index : z.extfragIndex()) {
                // C's / and % truncate toward zero like Java's: -1000 prints as "-1.000"
                sb.append(String.format("%2d.%03d ", index / 1000, index % 1000));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** debugfs extfrag/unusable_index. */
    public static String unusableIndex(GuestMemory g) {
        StringBuilder sb = new StringBuilder();
        for (ZoneFragmentation z : indexes(g)) {
            sb.append(String.format("Node %d, zone %8s ", 0, z.zone()));
            for (int index : z.unusableIndex()) {
                sb.append(String.format("%d.%03d ", index / 1000, index % 1000));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Both indexes of each populated zone, per order, in thousandths. */
    static List<ZoneFragmentation> indexes(GuestMemory g) {
        List<ZoneFragmentation> out = new ArrayList<>();
        Zone.walkZonesInNode(g.zones, (unused, z) -> {
            List<Integer> extfrag = new ArrayList<>();
            List<Integer> unusable = new ArrayList<>();
            for (int order = 0; order < Mm.NR_PAGE_ORDERS; order++) {
                ContigPageInfo info = fillContigPageInfo(z, order);
                extfrag.add(fragmentationIndex(order, info));
                unusable.add(unusableFreeIndex(order, info));
            }
            out.add(new ZoneFragmentation(z.name, extfrag, unusable));
        });
        return out;
    }
}
