package org.mmlab.virtio.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.mmlab.mm.Errno;
import org.mmlab.mm.hinting.FreePageReporting;
import org.mmlab.mm.hinting.HintingDevice;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.hinting.Scatterlist;

/**
 * Models the REPORTING parts of drivers/virtio/virtio_balloon.c: vb->pr_dev_info with
 * virtballoon_free_page_report() on reporting_vq (v5.7), its page_reporting_register() in probe and
 * page_reporting_unregister() first thing in remove; and the 2019 series' a_dev_info with
 * virtballoon_aerator_react() ([PATCH v1 6/6], whose VIRTIO_BALLOON_F_HINTING is bit 5 too), so that
 * one device serves whichever design is in force. A report or react posts one buffer of free blocks and
 * waits for the host (bounded by ackTimeoutMs, as TellHost's other waits).
 *
 * <p>In the kernel the registration is in probe and a second reporting device's probe fails with -EBUSY.
 * Here the design is another bundle's service, bound by DS right after probe (or when it arrives later):
 * the device registers then, and a device that gets -EBUSY goes on without reporting and says so.
 */
final class PageReportingDev implements HintingDevice {
    static final String VQ_REPORTING = "reporting_vq";
    /** EIO and ENOSPC (include/uapi/asm-generic/errno-base.h), which only this file returns. */
    private static final int EIO = 5;
    private static final int ENOSPC = 28;
    /** VIRTIO_BALLOON_ARRAY_HINTS_MAX ([PATCH v1 6/6]): pages one react() takes. */
    static final int VIRTIO_BALLOON_ARRAY_HINTS_MAX = 32;

    private final VirtioBalloon vb;
    private final PageAllocHinting core;
    private final TellHost tellHost;
    volatile Virtqueue reportingVq;
    /** The module's WARN_ON_ONCE() sites that fired (ModuleGlobals': one set per module load in a guest). */
    Set<String> warnedOnce = ConcurrentHashMap.newKeySet();
    // guarded by this
    private FreePageReporting provider;
    private boolean registered;
    private boolean removed;

    PageReportingDev(VirtioBalloon vb, PageAllocHinting core, TellHost tellHost) {
        this.vb = vb;
        this.core = core;
        this.tellHost = tellHost;
    }

    @Override
    public String name() {
        return "virtio-balloon " + vb.vdev.name;
    }

    /**
     * virtballoon_free_page_report(): virtqueue_add_inbuf(vq, sg, nents), kick, wait for the host. An add
     * that fails is WARN_ON_ONCE()d and returned ("we will simply display a warning and exit").
     */
    @Override
    public int report(Scatterlist sg, int offset, int nents) {
        int[] pfns = new int[nents];
        int[] orders = new int[nents];
        for (int i = 0; i < nents; i++) {
            pfns[i] = sg.pfn(offset + i);
            orders[i] = sg.order(offset + i);
        }
        return post(pfns, orders, "virtballoon_free_page_report");
    }

    /**
     * virtballoon_aerator_react() ([PATCH v1 6/6]): under balloon_lock, one hint (the page's address and
     * order) per page of the batch, one buffer, kick, wait. "We shouldn't have been called if there is
     * nothing to process": WARN_ON(num_hints == 0).
     */
    @Override
    public void react(int batchHead) {
        vb.mm.lockdepAcquire(VirtioBalloon.BALLOON_LOCK_CLASS, false);
        vb.balloonLock.lock();
        try {
            List<Integer> blocks = new ArrayList<>();
            for (int id = core.listNext(batchHead); id != batchHead; id = core.listNext(id)) {
                blocks.add(id);
            }
            if (blocks.isEmpty()) {
                vb.mm.printk("WARNING: CPU: 0 PID: 1 at drivers/virtio/virtio_balloon.c virtballoon_aerator_react:"
                        + " WARN_ON(vb->num_hints == 0)");
                return;
            }
            int[] pfns = blocks.stream().mapToInt(Integer::intValue).toArray();
            int[] orders = blocks.stream().mapToInt(core::pagePrivate).toArray();
            post(pfns, orders, "virtballoon_aerator_react");
        } finally {
            vb.mm.lockdepRelease(VirtioBalloon.BALLOON_LOCK_CLASS);
            vb.balloonLock.unlock();
        }
    }

    private int post(int[] pfns, int[] orders, String function) {
        Virtqueue vq = reportingVq;
        TellHost.Result r = vq == null ? TellHost.Result.NOT_POSTED : tellHost.report(vq, pfns, orders);
        if (r == TellHost.Result.NOT_POSTED) {
            if (warnedOnce.add(function)) {
                vb.mm.printk("WARNING: CPU: 0 PID: 1 at drivers/virtio/virtio_balloon.c " + function
                        + ": WARN_ON_ONCE(err): the reporting queue took no buffer");
            }
            return -ENOSPC;
        }
        return r == TellHost.Result.ACKED ? 0 : -EIO; // the lab broke a device whose host did not answer
    }

    @Override
    public long capacity() {
        return VIRTIO_BALLOON_ARRAY_HINTS_MAX;
    }

    /** prdev->order: only arm64 with 64K pages sets 5; x86 leaves it 0 (pageblock_order). */
    @Override
    public int order() {
        return 0;
    }

    // ================================================================ registration

    /** probe: "capacity = virtqueue_get_vring_size(vb->reporting_vq); if (capacity < PAGE_REPORTING_CAPACITY) -ENOSPC". */
    void probe() {
        Virtqueue vq = reportingVq;
        if (vq.num < PageAllocHinting.PAGE_REPORTING_CAPACITY) {
            throw new VirtioBalloon.ProbeFailed(-ENOSPC, "reporting_vq of " + vq.num + " entries");
        }
        register();
    }

    /** The provider (aeration-bundle's service) is bound: register if REPORTING is negotiated. */
    synchronized void bind(FreePageReporting r) {
        provider = r;
        if (reportingVq != null) {
            register();
        }
    }

    /** The provider goes: the device is unregistered from it first (it waits for the design's work). */
    synchronized void unbind(FreePageReporting r) {
        if (provider != r) {
            return;
        }
        if (registered) {
            r.unregister(this);
            registered = false;
        }
        provider = null;
    }

    /** virtballoon_remove(): "if REPORTING: page_reporting_unregister(&vb->pr_dev_info)", before anything else. */
    synchronized void remove() {
        removed = true;
        if (registered) {
            provider.unregister(this);
            registered = false;
        }
    }

    synchronized boolean registered() {
        return registered;
    }

    private synchronized void register() {
        if (registered || removed || provider == null) {
            return;
        }
        int err = provider.register(this);
        if (err == 0) {
            registered = true;
            return;
        }
        vb.devInfo("page_reporting_register() failed with error " + err + (err == -Errno.EBUSY
                ? ": another device reports free pages; this one goes on without (the kernel's probe would fail)"
                : ""));
    }
}
