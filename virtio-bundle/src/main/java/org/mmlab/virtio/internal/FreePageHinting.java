package org.mmlab.virtio.internal;

import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_CMD_ID_DONE;
import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_CMD_ID_STOP;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.ReentrantLock;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.Shrinker;

/**
 * Models VIRTIO_BALLOON_F_FREE_PAGE_HINT in drivers/virtio/virtio_balloon.c: the command ids from the
 * host (virtio_balloon_cmd_id_received), report_free_page_func on "balloon-wq" (send_cmd_id_start,
 * get_free_page_and_send until the allocator fails or a new command arrives, send_cmd_id_stop), the
 * hinted blocks on free_page_list, return_free_pages_to_mm() on CMD_ID_DONE, and the "virtio-balloon"
 * shrinker that gives them back under memory pressure.
 */
final class FreePageHinting {
    /** VIRTIO_BALLOON_HINT_BLOCK_ORDER: MAX_PAGE_ORDER (4 MiB blocks). */
    static final int VIRTIO_BALLOON_HINT_BLOCK_ORDER = Mm.MAX_PAGE_ORDER;
    static final int VIRTIO_BALLOON_HINT_BLOCK_PAGES = 1 << VIRTIO_BALLOON_HINT_BLOCK_ORDER;
    /** VIRTIO_BALLOON_FREE_PAGE_ALLOC_FLAG. */
    static final int VIRTIO_BALLOON_FREE_PAGE_ALLOC_FLAG = Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN | Gfp.__GFP_NOMEMALLOC;

    private final VirtioBalloon vb;
    Virtqueue freePageVq;
    private Workqueue balloonWq;
    private Workqueue.Work reportFreePageWork;
    /** config_read_bitmap's VIRTIO_BALLOON_CONFIG_READ_CMD_ID bit. */
    private boolean configReadCmdId;
    private long cmdIdReceivedCache = VIRTIO_BALLOON_CMD_ID_STOP;
    private volatile long cmdIdActive = VIRTIO_BALLOON_CMD_ID_STOP;
    /** free_page_list_lock (a spinlock: taken with preemption off) and free_page_list. */
    private final ReentrantLock freePageListLock = new ReentrantLock();
    private final Deque<Integer> freePageList = new ArrayDeque<>();
    private volatile long numFreePageBlocks;
    private final Shrinker shrinker = new Shrinker() {
        @Override
        public long countObjects() {
            return virtioBalloonShrinkerCount();
        }

        @Override
        public long scanObjects(long nrToScan) {
            return virtioBalloonShrinkerScan(nrToScan);
        }
    };
    private boolean shrinkerRegistered;

    FreePageHinting(VirtioBalloon vb) {
        this.vb = vb;
    }

    /** virtballoon_probe()'s FREE_PAGE_HINT part: "balloon-wq", the work, and the shrinker. */
    void init() {
        balloonWq = new Workqueue("virtio_balloon " + vb.vdev.devName + " balloon-wq", vb.lab, vb.lab::awaitWorker);
        reportFreePageWork = balloonWq.work("report_free_page_func", this::reportFreePageFunc);
        // "We're allowed to reuse any free pages, even if they are still to be processed by the host."
        vb.mm.registerShrinker("virtio-balloon", shrinker);
        shrinkerRegistered = true;
    }

    void unregisterShrinker() {
        if (shrinkerRegistered) {
            vb.mm.unregisterShrinker(shrinker);
            shrinkerRegistered = false;
        }
    }

    void cancelAndDestroy() {
        if (balloonWq != null) {
            balloonWq.cancelWorkSync(reportFreePageWork);
            vb.destroyWorkqueue(balloonWq);
        }
    }

    /** virtio_balloon_queue_free_page_work(): read the command id once per config change. */
    void virtioBalloonQueueFreePageWork() {
        if (balloonWq == null) {
            return;
        }
        synchronized (this) {
            if (configReadCmdId) {
                return; // no need to queue the work if the bit was already set
            }
            configReadCmdId = true;
        }
        balloonWq.queueWork(reportFreePageWork);
    }

    /** virtio_balloon_cmd_id_received(): the config's cmd id, re-read when the bit says it changed. */
    long virtioBalloonCmdIdReceived() {
        synchronized (this) {
            if (configReadCmdId) {
                configReadCmdId = false;
                cmdIdReceivedCache = vb.vdev.config.readLe32(Uapi.CONFIG_FREE_PAGE_HINT_CMD_ID);
            }
            return cmdIdReceivedCache;
        }
    }

    /** report_free_page_func(). */
    void reportFreePageFunc() {
        long cmdIdReceived = virtioBalloonCmdIdReceived();
        if (cmdIdReceived == VIRTIO_BALLOON_CMD_ID_DONE) {
            returnFreePagesToMm(Long.MAX_VALUE); // pass ULONG_MAX to give back all the free pages
        } else if (cmdIdReceived != VIRTIO_BALLOON_CMD_ID_STOP && cmdIdReceived != cmdIdActive) {
            virtioBalloonReportFreePage();
        }
    }

    /** virtio_balloon_report_free_page(): start id, blocks until done or told otherwise, stop id. */
    private void virtioBalloonReportFreePage() {
        if (!sendCmdIdStart()) {
            vb.devInfo("Failed to send a start id");
        }
        while (getFreePageAndSend()) {
            // cond_resched()
        }
        if (!sendCmdIdStop()) {
            vb.devInfo("Failed to send a stop id");
        }
    }

    /** Detach all the used buffers from the vq (the host's acknowledgements need no interrupt). */
    private void detachUsed() {
        while (freePageVq.getBuf() != null) {
            // drop
        }
    }

    /** send_cmd_id_start(). */
    boolean sendCmdIdStart() {
        detachUsed();
        cmdIdActive = virtioBalloonCmdIdReceived();
        return freePageVq.add(null, null, cmdIdActive) >= 0;
    }

    /** send_cmd_id_stop(). */
    boolean sendCmdIdStop() {
        detachUsed();
        return freePageVq.add(null, null, VIRTIO_BALLOON_CMD_ID_STOP) >= 0;
    }

    /**
     * get_free_page_and_send(): one MAX_PAGE_ORDER block to the host, kept on free_page_list. False
     * (-EINTR, -ENOSPC) when the allocator has no more, the host sent a new command, or the queue has no
     * room (one entry stays reserved for the stop id).
     */
    boolean getFreePageAndSend() {
        detachUsed();
        if (virtioBalloonCmdIdReceived() != cmdIdActive) {
            return false; // a new command (or stop/done) from the host
        }
        int pfn = vb.mm.allocPages(VIRTIO_BALLOON_FREE_PAGE_ALLOC_FLAG, VIRTIO_BALLOON_HINT_BLOCK_ORDER);
        if (pfn == Mm.NO_PAGE) {
            return false; // we have got all the possible free pages
        }
        if (freePageVq.numFree() > 1 && freePageVq.add(new int[] {pfn}, null, 0) >= 0) {
            vb.mm.preemptDisable();
            freePageListLock.lock();
            try {
                freePageList.push(pfn);
                numFreePageBlocks++;
            } finally {
                freePageListLock.unlock();
                vb.mm.preemptEnable();
            }
            return true;
        }
        vb.mm.freePages(pfn, VIRTIO_BALLOON_HINT_BLOCK_ORDER);
        return false; // the kernel frees it and goes on; the lab stops rather than spin on a full ring
    }

    /** return_free_pages_to_mm(): up to num blocks back to the allocator; returns blocks returned. */
    long returnFreePagesToMm(long num) {
        long returned = 0;
        vb.mm.preemptDisable();
        freePageListLock.lock();
        try {
            while (returned < num) {
                Integer pfn = freePageList.poll();
                if (pfn == null) {
                    break;
                }
                vb.mm.freePages(pfn, VIRTIO_BALLOON_HINT_BLOCK_ORDER);
                returned++;
            }
            numFreePageBlocks -= returned;
        } finally {
            freePageListLock.unlock();
            vb.mm.preemptEnable();
        }
        return returned;
    }

    /** virtio_balloon_shrinker_count(). */
    long virtioBalloonShrinkerCount() {
        return numFreePageBlocks * VIRTIO_BALLOON_HINT_BLOCK_PAGES;
    }

    /** virtio_balloon_shrinker_scan() -> shrink_free_pages(): whole blocks, rounded up. */
    long virtioBalloonShrinkerScan(long nrToScan) {
        long blocks = (nrToScan + VIRTIO_BALLOON_HINT_BLOCK_PAGES - 1) / VIRTIO_BALLOON_HINT_BLOCK_PAGES;
        return returnFreePagesToMm(blocks) * VIRTIO_BALLOON_HINT_BLOCK_PAGES;
    }

    long numFreePageBlocks() {
        return numFreePageBlocks;
    }

    long cmdIdActive() {
        return cmdIdActive;
    }

    /** report_free_page_func() is queued or running on balloon-wq. */
    boolean busy() {
        return balloonWq != null && balloonWq.busy(reportFreePageWork);
    }
}
