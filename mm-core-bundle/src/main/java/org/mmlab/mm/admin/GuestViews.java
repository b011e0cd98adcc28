package org.mmlab.mm.admin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The running guest's /proc and debugfs files (fs/proc/meminfo.c, mm/vmstat.c), as data and as the
 * kernel prints them, and its kernel log. /proc/vmstat as data is
 * {@link org.mmlab.mm.MemoryManager#vmstat()}.
 */
@ProviderType
public interface GuestViews {
    /** A file, byte for byte as the kernel prints it. */
    String show(View view);

    /**
     * /proc/meminfo: each line's label (without its colon) and value, in the kernel's order; values in
     * kB but for the HugePages_ counts.
     */
    Map<String, Long> meminfo();

    /** /proc/buddyinfo: each populated zone's free blocks per order. */
    List<FreeArea> buddyinfo();

    /** /proc/pagetypeinfo's first table: free blocks per order of each zone and migrate type. */
    List<FreeList> freeLists();

    /** /proc/pagetypeinfo's second table: each zone's pageblocks by migrate type. */
    List<Pageblocks> pageblocks();

    /** debugfs extfrag/extfrag_index and extfrag/unusable_index of each zone, per order. */
    List<ZoneFragmentation> extfrag();

    /** How fragmented free memory is, measured with the machine stopped (what mm:compact prints). */
    Fragmentation fragmentation();

    /** The kernel log ring (dmesg), oldest first. */
    List<String> dmesg();

    /** dmesg -C: empties the ring. */
    void clearDmesg();

    /** The files {@link #show} prints. */
    enum View {
        MEMINFO("/proc/meminfo"),
        BUDDYINFO("/proc/buddyinfo"),
        PAGETYPEINFO("/proc/pagetypeinfo"),
        ZONEINFO("/proc/zoneinfo"),
        VMSTAT("/proc/vmstat"),
        EXTFRAG_INDEX("/sys/kernel/debug/extfrag/extfrag_index"),
        UNUSABLE_INDEX("/sys/kernel/debug/extfrag/unusable_index"),
        /** The lab's own (no kernel file): migration's counters, the contract in force, the movable-page owners. */
        MIGRATION("mm:migration");

        private final String path;

        View(String path) {
            this.path = path;
        }

        /** The file's path in a kernel, or the mm: command of a view that has none. */
        public String path() {
            return path;
        }
    }

    /**
     * One line of /proc/buddyinfo (free_area[] of a zone).
     *
     * @param zone   the zone's name, e.g. "DMA32"
     * @param nrFree free blocks of each order, 0 to MAX_PAGE_ORDER
     */
    record FreeArea(String zone, List<Long> nrFree) {
        public FreeArea {
            nrFree = List.copyOf(nrFree);
        }
    }

    /**
     * One free list of /proc/pagetypeinfo: a zone's free blocks of one migrate type, per order (as the
     * kernel counts them: at most 100000 a list).
     *
     * @param zone        the zone's name
     * @param migratetype the kernel's name of the migrate type, e.g. "Movable"
     * @param nrFree      free blocks of each order, 0 to MAX_PAGE_ORDER
     */
    record FreeList(String zone, String migratetype, List<Long> nrFree) {
        public FreeList {
            nrFree = List.copyOf(nrFree);
        }
    }

    /**
     * A zone's pageblocks by migrate type, as /proc/pagetypeinfo counts them.
     *
     * @param zone   the zone's name
     * @param byType pageblocks of each migrate type, by its kernel name, in enum migratetype's order
     */
    record Pageblocks(String zone, Map<String, Long> byType) {
        public Pageblocks {
            byType = Collections.unmodifiableMap(new LinkedHashMap<>(byType));
        }
    }

    /**
     * A zone's fragmentation indexes per order, in thousandths as the kernel computes them (debugfs
     * prints 1000 as "1.000").
     *
     * @param zone           the zone's name
     * @param extfragIndex   fragmentation_index() per order: near 1000, an allocation fails for want of
     *                       contiguous memory (compaction would help); near 0, for want of memory; -1000,
     *                       it would succeed
     * @param unusableIndex  unusable_free_index() per order: the share of free memory too fragmented for it
     */
    record ZoneFragmentation(String zone, List<Integer> extfragIndex, List<Integer> unusableIndex) {
        public ZoneFragmentation {
            extfragIndex = List.copyOf(extfragIndex);
            unusableIndex = List.copyOf(unusableIndex);
        }
    }
}
