package org.mmlab.virtio.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;
import org.mmlab.mm.lab.ModuleCaller;

/**
 * Models a split virtqueue (drivers/virtio/virtio_ring.c) between the driver and the simulated host:
 * the driver adds buffers to the available ring and kicks; the host pops them, uses them, and puts
 * them on the used ring, then interrupts (the queue's callback, e.g. balloon_ack). A broken queue
 * (virtio_break_device) takes no new buffer. All ring state is guarded by the device's ring lock, so
 * that a check sees a buffer either available or used, never half moved.
 */
final class Virtqueue {
    /**
     * One descriptor chain: PFNs (inflate, deflate, free page hints), a stats array, a command id, or free
     * blocks (reporting_vq: block i is 2^orders[i] pages at pfns[i]).
     */
    record Buffer(long id, int[] pfns, long[] stats, long cmdId, int[] orders) {
        int nrPfns() {
            return pfns == null ? 0 : pfns.length;
        }
    }

    final String name;
    final int num;
    private final Object ringLock;
    private final Deque<Buffer> avail = new ArrayDeque<>();
    private final Deque<Buffer> used = new ArrayDeque<>();
    private final Consumer<Virtqueue> callback;
    private final ModuleCaller calls;
    /** Written under the ring lock, read without it (virtqueue_is_broken(): READ_ONCE(vq->broken)). */
    private volatile boolean broken;
    private volatile boolean deleted;
    private long nextId = 1;
    private long availPfns;
    /**
     * Buffers on the used ring, written under the ring lock and read without it, as the driver reads the used
     * ring's idx from the ring's memory (more_used_split()) before it takes a buffer or sleeps.
     */
    private volatile int nrUsed;
    /** The buffer the host took and still uses outside the ring lock (a report it discards), or 0. */
    private long inUseId;

    /**
     * @param callback the driver's interrupt handler for this queue (vring_interrupt -> vq->callback),
     *                 or null for a queue without one (free_page_vq)
     * @param calls    the use-after-unload check of each interrupt ("vq->callback")
     */
    Virtqueue(String name, int num, Object ringLock, Consumer<Virtqueue> callback, ModuleCaller calls) {
        this.name = name;
        this.num = num;
        this.ringLock = ringLock;
        this.callback = callback;
        this.calls = calls;
    }

    /**
     * virtqueue_add_outbuf()/virtqueue_add_inbuf(): returns the buffer's id, or -1 if the queue is full
     * (-ENOSPC) or broken (-EIO).
     */
    long add(int[] pfns, long[] stats, long cmdId) {
        return add(pfns, stats, cmdId, null);
    }

    /** virtqueue_add_inbuf() of a scatterlist of free blocks (reporting_vq). */
    long addBlocks(int[] pfns, int[] orders) {
        return add(pfns, null, 0, orders);
    }

    private long add(int[] pfns, long[] stats, long cmdId, int[] orders) {
        synchronized (ringLock) {
            if (broken || avail.size() + used.size() >= num) {
                return -1;
            }
            Buffer b = new Buffer(nextId++, pfns, stats, cmdId, orders);
            avail.addLast(b);
            availPfns += b.nrPfns();
            ringLock.notifyAll(); // virtqueue_kick(): the host's thread waits on the ring lock
            return b.id();
        }
    }

    /** The host takes the next available buffer (null if none); the caller holds the ring lock. */
    Buffer popAvailLocked() {
        Buffer b = avail.pollFirst();
        if (b != null) {
            availPfns -= b.nrPfns();
        }
        return b;
    }

    /** The host returns a buffer it has used; the caller holds the ring lock. */
    void pushUsedLocked(Buffer b) {
        used.addLast(b);
        nrUsed = used.size();
    }

    /** The host uses b outside the ring lock from now on; the caller holds the ring lock. */
    void beginUseLocked(Buffer b) {
        inUseId = b.id();
    }

    /** The host is done with b's pages; the caller holds the ring lock. */
    void endUseLocked(Buffer b) {
        if (inUseId == b.id()) {
            inUseId = 0;
            ringLock.notifyAll();
        }
    }

    /**
     * The lab's give-up on a report after its ack timeout (the kernel waits for ever): a buffer the host
     * has not taken leaves the ring, and one it is using is finished first, so that the host never touches
     * pages the driver puts back on the free lists. True if the host used the buffer after all.
     */
    boolean giveUp(long id) {
        boolean interrupted = false;
        synchronized (ringLock) {
            try {
                while (inUseId == id) {
                    try {
                        ringLock.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            for (var it = avail.iterator(); it.hasNext();) {
                Buffer b = it.next();
                if (b.id() == id) {
                    it.remove();
                    availPfns -= b.nrPfns();
                    return false;
                }
            }
            boolean removed = used.removeIf(b -> b.id() == id);
            nrUsed = used.size();
            return removed;
        }
    }

    /** vring_interrupt(): the host tells the driver that used buffers wait (outside the ring lock). */
    void interrupt() {
        if (callback != null) {
            try (ModuleCall c = calls.callIntoModule(callback, InjectionPoints.CALL_VQ_CALLBACK, -1)) {
                callback.accept(this);
            }
        }
    }

    /** virtqueue_get_buf(): the next used buffer, or null. */
    Buffer getBuf() {
        synchronized (ringLock) {
            if (broken) {
                return null;
            }
            Buffer b = used.pollFirst();
            nrUsed = used.size();
            return b;
        }
    }

    /** virtqueue_get_buf() for one buffer: takes it off the used ring if the host returned it. */
    boolean getBuf(long id) {
        synchronized (ringLock) {
            if (broken) {
                return false;
            }
            for (var it = used.iterator(); it.hasNext();) {
                if (it.next().id() == id) {
                    it.remove();
                    nrUsed = used.size();
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * more_used_split(): whether the host has put a buffer on the used ring, read without the ring lock (the
     * kernel compares vq->last_used_idx with used->idx in the ring's memory); virtqueue_get_buf() then takes it.
     */
    boolean moreUsed() {
        return nrUsed > 0;
    }

    /** vq->num_free. */
    int numFree() {
        synchronized (ringLock) {
            return num - avail.size() - used.size();
        }
    }

    /** PFNs in buffers the host has not taken yet; the caller holds the ring lock. */
    long availPfnsLocked() {
        return availPfns;
    }

    /** True if a buffer on the available ring carries pfn; the caller holds the ring lock. */
    boolean availContainsLocked(int pfn) {
        for (Buffer b : avail) {
            if (b.pfns() != null) {
                for (int p : b.pfns()) {
                    if (p == pfn) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    int availCountLocked() {
        return avail.size();
    }

    /** virtio_break_device(): no buffer goes in or comes out any more. */
    void breakQueue() {
        synchronized (ringLock) {
            broken = true;
        }
    }

    boolean broken() {
        return broken;
    }

    /** del_vqs() took this queue away: no host will use a buffer on it any more. */
    void deleteLocked() {
        deleted = true;
    }

    boolean deleted() {
        return deleted;
    }

    /** Device reset / del_vqs(): every buffer is dropped; the host forgets what it had not taken. */
    void resetLocked() {
        avail.clear();
        used.clear();
        nrUsed = 0;
        availPfns = 0;
    }
}
