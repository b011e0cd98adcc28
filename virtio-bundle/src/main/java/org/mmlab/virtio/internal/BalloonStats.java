package org.mmlab.virtio.internal;

import static org.mmlab.virtio.internal.Uapi.*;

import java.util.Map;

import org.mmlab.mm.Mm;

/**
 * Models the stats queue of drivers/virtio/virtio_balloon.c: update_balloon_stats() (all sixteen tags,
 * from the guest's vm events and si_meminfo(); what this guest has no counter for is 0),
 * stats_request() (the queue's interrupt) and stats_handle_request() (the work that refills the buffer).
 */
final class BalloonStats {
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
        Map<String, Long> events = vb.mm.vmstat();
        long[] s = new long[VIRTIO_BALLOON_S_NR];
        s[VIRTIO_BALLOON_S_SWAP_IN] = pagesToBytes(events.getOrDefault("pswpin", 0L));
        s[VIRTIO_BALLOON_S_SWAP_OUT] = pagesToBytes(events.getOrDefault("pswpout", 0L));
        s[VIRTIO_BALLOON_S_MAJFLT] = events.getOrDefault("pgmajfault", 0L);
        s[VIRTIO_BALLOON_S_MINFLT] = events.getOrDefault("pgfault", 0L);
        s[VIRTIO_BALLOON_S_MEMFREE] = pagesToBytes(vb.mm.freePages());
        s[VIRTIO_BALLOON_S_MEMTOT] = pagesToBytes(vb.mm.totalramPages());
        s[VIRTIO_BALLOON_S_AVAIL] = pagesToBytes(vb.mm.memAvailable());
        s[VIRTIO_BALLOON_S_CACHES] = pagesToBytes(events.getOrDefault("nr_file_pages", 0L));
        s[VIRTIO_BALLOON_S_HTLB_PGALLOC] = events.getOrDefault("htlb_buddy_alloc_success", 0L);
        s[VIRTIO_BALLOON_S_HTLB_PGFAIL] = events.getOrDefault("htlb_buddy_alloc_fail", 0L);
        s[VIRTIO_BALLOON_S_OOM_KILL] = events.getOrDefault("oom_kill", 0L);
        s[VIRTIO_BALLOON_S_ALLOC_STALL] = events.getOrDefault("allocstall_dma32", 0L)
                + events.getOrDefault("allocstall_normal", 0L) + events.getOrDefault("allocstall_movable", 0L);
        s[VIRTIO_BALLOON_S_ASYNC_SCAN] = events.getOrDefault("pgscan_kswapd", 0L);
        s[VIRTIO_BALLOON_S_DIRECT_SCAN] = events.getOrDefault("pgscan_direct", 0L);
        s[VIRTIO_BALLOON_S_ASYNC_RECLAIM] = events.getOrDefault("pgsteal_kswapd", 0L);
        s[VIRTIO_BALLOON_S_DIRECT_RECLAIM] = events.getOrDefault("pgsteal_direct", 0L);
        return s;
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

    void cancel() {
        wq.cancelWorkSync(updateBalloonStatsWork);
    }
}
