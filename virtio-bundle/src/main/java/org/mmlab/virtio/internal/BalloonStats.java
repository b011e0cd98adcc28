package org.mmlab.virtio.internal;

import static org.mmlab.virtio.internal.Uapi.*;

import java.util.Map;

import org.mmlab.mm.Mm;

/**
 * Models the stats queue of drivers/virtio/virtio_balloon.c: update_balloon_stats() (v6.10:
 * update_balloon_vm_stats() from the guest's vm events, then si_meminfo() and the page cache),
 * stats_request() (the queue's interrupt) and stats_handle_request() (the work that refills the buffer).
 * Each tag keeps the kernel's source and unit: swap, memory and the scan/reclaim amounts (tags 12-15) are
 * bytes (pages_to_bytes()), faults, hugetlb allocations, OOM kills and stalls are counts. A tag whose
 * kernel counter this guest does not keep (no swap, no page cache, no hugetlb, no LRU reclaim) is 0,
 * and {@link #noSource} says why.
 */
final class BalloonStats {
    /** The vm events and node stats each tag is read from, by their /proc/vmstat names (v6.10). */
    private static final String[][] COUNTERS = new String[Uapi.VIRTIO_BALLOON_S_NR][];
    /** Why this guest keeps none of a tag's counters. */
    private static final String[] NO_SOURCE = new String[Uapi.VIRTIO_BALLOON_S_NR];

    static {
        counters(VIRTIO_BALLOON_S_SWAP_IN, "no swap", "pswpin");
        counters(VIRTIO_BALLOON_S_SWAP_OUT, "no swap", "pswpout");
        counters(VIRTIO_BALLOON_S_MAJFLT, "no swap or page cache, so no fault waits for I/O", "pgmajfault");
        counters(VIRTIO_BALLOON_S_MINFLT, null, "pgfault");
        counters(VIRTIO_BALLOON_S_CACHES, "no page cache", "nr_file_pages");
        counters(VIRTIO_BALLOON_S_HTLB_PGALLOC, "no hugetlb pool", "htlb_buddy_alloc_success");
        counters(VIRTIO_BALLOON_S_HTLB_PGFAIL, "no hugetlb pool", "htlb_buddy_alloc_fail");
        counters(VIRTIO_BALLOON_S_OOM_KILL, null, "oom_kill");
        // the sum over every zone's ALLOCSTALL; this guest has DMA32 and Normal
        counters(VIRTIO_BALLOON_S_ALLOC_STALL, null, "allocstall_dma32", "allocstall_normal");
        String noLruReclaim = "no LRU reclaim (no kswapd; direct reclaim is shrink_slab() alone)";
        counters(VIRTIO_BALLOON_S_ASYNC_SCAN, noLruReclaim, "pgscan_kswapd");
        counters(VIRTIO_BALLOON_S_DIRECT_SCAN, noLruReclaim, "pgscan_direct");
        counters(VIRTIO_BALLOON_S_ASYNC_RECLAIM, noLruReclaim, "pgsteal_kswapd");
        counters(VIRTIO_BALLOON_S_DIRECT_RECLAIM, noLruReclaim, "pgsteal_direct");
    }

    private static void counters(int tag, String noSource, String... names) {
        COUNTERS[tag] = names;
        NO_SOURCE[tag] = noSource;
    }

    private final VirtioBalloon vb;
    private final Workqueue wq;
    private final Workqueue.Work updateBalloonStatsWork;

    BalloonStats(VirtioBalloon vb, Workqueue wq) {
        this.vb = vb;
        this.wq = wq;
        this.updateBalloonStatsWork = wq.work("update_balloon_stats_func", this::statsHandleRequest);
    }

    /** update_balloon_stats(): the sixteen values, by tag. */
    long[] updateBalloonStats() {
        return updateBalloonStats(vb.mm.vmstat(), vb.mm.freePages(), vb.mm.totalramPages(), vb.mm.memAvailable());
    }

    /** update_balloon_stats() from these vm events and node stats and si_meminfo()'s pages. */
    static long[] updateBalloonStats(Map<String, Long> events, long freeram, long totalram, long available) {
        long[] s = new long[VIRTIO_BALLOON_S_NR];
        // update_balloon_vm_stats()
        s[VIRTIO_BALLOON_S_SWAP_IN] = pagesToBytes(sum(events, VIRTIO_BALLOON_S_SWAP_IN));
        s[VIRTIO_BALLOON_S_SWAP_OUT] = pagesToBytes(sum(events, VIRTIO_BALLOON_S_SWAP_OUT));
        s[VIRTIO_BALLOON_S_MAJFLT] = sum(events, VIRTIO_BALLOON_S_MAJFLT);
        s[VIRTIO_BALLOON_S_MINFLT] = sum(events, VIRTIO_BALLOON_S_MINFLT);
        s[VIRTIO_BALLOON_S_OOM_KILL] = sum(events, VIRTIO_BALLOON_S_OOM_KILL);
        s[VIRTIO_BALLOON_S_ALLOC_STALL] = sum(events, VIRTIO_BALLOON_S_ALLOC_STALL);
        s[VIRTIO_BALLOON_S_ASYNC_SCAN] = pagesToBytes(sum(events, VIRTIO_BALLOON_S_ASYNC_SCAN));
        s[VIRTIO_BALLOON_S_DIRECT_SCAN] = pagesToBytes(sum(events, VIRTIO_BALLOON_S_DIRECT_SCAN));
        s[VIRTIO_BALLOON_S_ASYNC_RECLAIM] = pagesToBytes(sum(events, VIRTIO_BALLOON_S_ASYNC_RECLAIM));
        s[VIRTIO_BALLOON_S_DIRECT_RECLAIM] = pagesToBytes(sum(events, VIRTIO_BALLOON_S_DIRECT_RECLAIM));
        s[VIRTIO_BALLOON_S_HTLB_PGALLOC] = sum(events, VIRTIO_BALLOON_S_HTLB_PGALLOC);
        s[VIRTIO_BALLOON_S_HTLB_PGFAIL] = sum(events, VIRTIO_BALLOON_S_HTLB_PGFAIL);
        // si_meminfo(), si_mem_available(), global_node_page_state(NR_FILE_PAGES)
        s[VIRTIO_BALLOON_S_MEMFREE] = pagesToBytes(freeram);
        s[VIRTIO_BALLOON_S_MEMTOT] = pagesToBytes(totalram);
        s[VIRTIO_BALLOON_S_AVAIL] = pagesToBytes(available);
        s[VIRTIO_BALLOON_S_CACHES] = pagesToBytes(sum(events, VIRTIO_BALLOON_S_CACHES));
        return s;
    }

    private static long sum(Map<String, Long> events, int tag) {
        long sum = 0;
        for (String name : COUNTERS[tag]) {
            sum += events.getOrDefault(name, 0L);
        }
        return sum;
    }

    /**
     * Why the lab has no source for this tag (none of its kernel counters is among these vm events and
     * node stats), or null if it counts it.
     */
    static String noSource(int tag, Map<String, Long> events) {
        if (COUNTERS[tag] == null) {
            return null; // si_meminfo()
        }
        for (String name : COUNTERS[tag]) {
            if (events.containsKey(name)) {
                return null;
            }
        }
        return NO_SOURCE[tag];
    }

    /** Why this guest has no source for the tag, or null. */
    String noSource(int tag) {
        return noSource(tag, vb.mm.vmstat());
    }

    private static long pagesToBytes(long pages) {
        return pages << Mm.PAGE_SHIFT;
    }

    /** init_vqs(): the first buffer, so that the host can use it to ask for stats. */
    void prime(Virtqueue statsVq) {
        statsVq.add(null, updateBalloonStats(), 0);
    }

    /** stats_request(): the host returned the buffer; queue the work unless updates stopped. */
    void statsRequest(Virtqueue vq) {
        if (vb.updatesStopped()) {
            return;
        }
        wq.queueWork(updateBalloonStatsWork);
    }

    /** stats_handle_request(): fresh values into the buffer the host returned, and back to the host. */
    void statsHandleRequest() {
        long[] s = updateBalloonStats();
        Virtqueue vq = vb.statsVq;
        if (vq == null || vq.getBuf() == null) {
            return;
        }
        vq.add(null, s, 0);
    }

    /** The stats work is queued or running. */
    boolean busy() {
        return wq.busy(updateBalloonStatsWork);
    }

    void cancel() {
        wq.cancelWorkSync(updateBalloonStatsWork);
    }
}
