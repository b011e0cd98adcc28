package org.mmlab.virtio.internal;

import java.util.List;

/**
 * Models include/uapi/linux/virtio_balloon.h: feature bits, config layout, command ids and stat tags,
 * with the kernel's values and the names QEMU and the kernel print for the tags.
 */
public final class Uapi {
    public static final int VIRTIO_BALLOON_F_MUST_TELL_HOST = 0;
    public static final int VIRTIO_BALLOON_F_STATS_VQ = 1;
    public static final int VIRTIO_BALLOON_F_DEFLATE_ON_OOM = 2;
    public static final int VIRTIO_BALLOON_F_FREE_PAGE_HINT = 3;
    public static final int VIRTIO_BALLOON_F_PAGE_POISON = 4;
    public static final int VIRTIO_BALLOON_F_REPORTING = 5;
    /** Feature names by bit, as the commands print and parse them. */
    public static final List<String> FEATURE_NAMES = List.of("MUST_TELL_HOST", "STATS_VQ", "DEFLATE_ON_OOM",
            "FREE_PAGE_HINT", "PAGE_POISON", "REPORTING");

    /** Size of a page in the balloon's PFNs: 4 KiB, whatever the guest's page size. */
    public static final int VIRTIO_BALLOON_PFN_SHIFT = 12;
    public static final int VIRTIO_BALLOON_CMD_ID_STOP = 0;
    public static final int VIRTIO_BALLOON_CMD_ID_DONE = 1;

    /** struct virtio_balloon_config: every field __le32 ("Legacy balloon config space is LE"). */
    public static final int CONFIG_NUM_PAGES = 0;
    public static final int CONFIG_ACTUAL = 4;
    public static final int CONFIG_FREE_PAGE_HINT_CMD_ID = 8;
    public static final int CONFIG_POISON_VAL = 12;
    public static final int CONFIG_SIZE = 16;

    public static final int VIRTIO_BALLOON_S_SWAP_IN = 0;
    public static final int VIRTIO_BALLOON_S_SWAP_OUT = 1;
    public static final int VIRTIO_BALLOON_S_MAJFLT = 2;
    public static final int VIRTIO_BALLOON_S_MINFLT = 3;
    public static final int VIRTIO_BALLOON_S_MEMFREE = 4;
    public static final int VIRTIO_BALLOON_S_MEMTOT = 5;
    public static final int VIRTIO_BALLOON_S_AVAIL = 6;
    public static final int VIRTIO_BALLOON_S_CACHES = 7;
    public static final int VIRTIO_BALLOON_S_HTLB_PGALLOC = 8;
    public static final int VIRTIO_BALLOON_S_HTLB_PGFAIL = 9;
    public static final int VIRTIO_BALLOON_S_OOM_KILL = 10;
    public static final int VIRTIO_BALLOON_S_ALLOC_STALL = 11;
    public static final int VIRTIO_BALLOON_S_ASYNC_SCAN = 12;
    public static final int VIRTIO_BALLOON_S_DIRECT_SCAN = 13;
    public static final int VIRTIO_BALLOON_S_ASYNC_RECLAIM = 14;
    public static final int VIRTIO_BALLOON_S_DIRECT_RECLAIM = 15;
    public static final int VIRTIO_BALLOON_S_NR = 16;
    /** VIRTIO_BALLOON_S_NAMES. */
    public static final List<String> STAT_NAMES = List.of("swap-in", "swap-out", "major-faults", "minor-faults",
            "free-memory", "total-memory", "available-memory", "disk-caches", "hugetlb-allocations",
            "hugetlb-failures", "oom-kills", "alloc-stalls", "async-scans", "direct-scans", "async-reclaims",
            "direct-reclaims");

    private Uapi() {
    }
}
