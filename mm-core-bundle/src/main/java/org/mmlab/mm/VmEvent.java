package org.mmlab.mm;

/**
 * The vm_event_item counters a driver may count with {@link MemoryManager#countVmEvent}, under their
 * /proc/vmstat names (include/linux/vm_event_item.h, CONFIG_BALLOON).
 */
public enum VmEvent {
    /** A page went into a balloon (balloon_page_enqueue). */
    BALLOON_INFLATE("balloon_inflate"),
    /** A page came out of a balloon (balloon_page_list_dequeue, or migration's -ENOENT). */
    BALLOON_DEFLATE("balloon_deflate"),
    /** A balloon page was migrated (balloon_page_migrate). */
    BALLOON_MIGRATE("balloon_migrate");

    private final String kernelName;

    VmEvent(String kernelName) {
        this.kernelName = kernelName;
    }

    public String kernelName() {
        return kernelName;
    }
}
