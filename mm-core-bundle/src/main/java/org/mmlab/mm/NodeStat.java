package org.mmlab.mm;

/**
 * The node_stat_item counters a driver may change with {@link MemoryManager#modNodePageState}, under
 * their /proc/vmstat names (include/linux/mmzone.h).
 */
public enum NodeStat {
    /** Pages inflated in any balloon: meminfo's "Balloon:" line. */
    NR_BALLOON_PAGES("nr_balloon_pages");

    private final String kernelName;

    NodeStat(String kernelName) {
        this.kernelName = kernelName;
    }

    public String kernelName() {
        return kernelName;
    }
}
