package org.mmlab.virtio.internal;

import java.util.Arrays;

/**
 * Models drivers/virtio/virtio_balloon.c's tell_host() and balloon_ack(): one buffer of PFNs on the
 * inflate or deflate queue, a kick, and the wait until the host has used it, which the queues'
 * interrupt (balloon_ack) wakes. Where the kernel waits for ever, the lab waits at most ackTimeoutMs,
 * then breaks the device (virtio_break_device) and says so in dmesg.
 */
final class TellHost {
    /** What tell_host() achieved: acknowledged, posted but not acknowledged in time, or not posted. */
    enum Result { ACKED, TIMED_OUT, NOT_POSTED }

    /**
     * How long tell_host() looks at the used ring before it sleeps on vb->acked. The kernel's wait_event() sleeps
     * at once, but the vCPU that then idles does not give its CPU up at once: the guest's cpuidle-haltpoll polls
     * for guest_halt_poll_ns (200 µs by default, v5.4) and KVM for halt_poll_ns (x86: 200 µs) before the host's
     * scheduler runs something else, so an acknowledgement within that costs the guest no sleep and wake-up.
     * The lab's host uses a 256-PFN buffer in 10-20 µs; 50 µs covers it on a quiet machine, and a host thread
     * that does not run meanwhile (a busy machine) costs at most that before tell_host() sleeps as before.
     */
    static final long ACK_POLL_NS = 50_000;

    private final VirtioBalloon vb;
    private final VirtioDevice vdev;
    final long ackTimeoutMs;
    /** vb->acked: tell_host() waits here for balloon_ack(). */
    private final Object acked = new Object();
    /** When tell_host() began to wait for the host (ms), or 0. */
    private volatile long waitingForAckSince;

    TellHost(VirtioBalloon vb, long ackTimeoutMs) {
        this.vb = vb;
        this.vdev = vb.vdev;
        this.ackTimeoutMs = ackTimeoutMs;
    }

    /**
     * tell_host(): one buffer of pfns[0..num_pfns), kick, and wait for balloon_ack(). The lab waits at
     * most ackTimeoutMs, then breaks the device. whenPosted runs under the ring lock in the same
     * step as the post (the check's in-flight accounting).
     */
    Result tellHost(Virtqueue vq, int[] pfns, int numPfns, Runnable whenPosted) {
        return post(vq, Arrays.copyOf(pfns, numPfns), null, whenPosted);
    }

    /**
     * The reporting queue's handshake, as virtballoon_free_page_report() (v5.7) and v1's
     * virtballoon_aerator_react() have it: one buffer of free blocks, kick, wait_event(vb->acked, ...).
     */
    Result report(Virtqueue vq, int[] pfns, int[] orders) {
        return post(vq, pfns, orders, () -> { });
    }

    private Result post(Virtqueue vq, int[] buf, int[] orders, Runnable whenPosted) {
        long id;
        synchronized (vdev.ringLock) {
            id = orders == null ? vq.add(buf, null, 0) : vq.addBlocks(buf, orders);
            if (id >= 0) {
                whenPosted.run();
            }
        }
        if (id < 0) {
            return Result.NOT_POSTED;
        }
        long deadline = System.currentTimeMillis() + ackTimeoutMs;
        waitingForAckSince = System.currentTimeMillis();
        try {
            // a thread of a controlled run keeps the baton: how long this machine's host takes decides nothing
            return vb.lab.awaitOutside(() -> awaitAck(vq, id, buf.length, deadline, orders != null));
        } finally {
            waitingForAckSince = 0;
        }
    }

    /**
     * wait_event(vb->acked, virtqueue_get_buf(vq, &len)), as tell_host() has it in v4.6 and v6.9 alike: an
     * uninterruptible sleep, so nothing, and here no Thread.interrupt(), takes a posted buffer's pages out
     * of the driver's hands; an interrupt is kept for the caller and the wait goes on. Only the lab's
     * ackTimeoutMs, or a queue deleted under the buffer, ends it early, and breaks the device.
     */
    private Result awaitAck(Virtqueue vq, long id, int nrPfns, long deadline, boolean report) {
        String why = null;
        boolean interrupted = false;
        pollUsed(vq);
        try {
            synchronized (acked) {
                // the ring lock only once the host put a buffer on the used ring: not while it uses this one
                while (why == null && !(vq.moreUsed() && vq.getBuf(id))) {
                    long left = deadline - System.currentTimeMillis();
                    if (vq.deleted()) { // no host will use it: the timeout would end the same way, seconds later
                        why = String.format("the %s queue was deleted with a buffer (%d pfns) on it: no host will"
                                + " acknowledge it; the device is broken until it is reset (the kernel would wait for"
                                + " ever)", vq.name, nrPfns);
                    } else if (left <= 0 || vq.broken()) {
                        why = String.format("the host did not acknowledge the %s buffer (%d pfns) within %d ms; the"
                                + " device is broken until it is reset (the kernel would wait for ever)", vq.name,
                                nrPfns, ackTimeoutMs);
                    } else {
                        try {
                            acked.wait(left);
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (why == null) {
            return Result.ACKED;
        }
        // a report's pages go back to the free lists: the host must be done with them, or never see them (an
        // inflate or deflate stays queued: the device check counts it in flight, MUST_TELL_HOST keeps its pages)
        if (report && vq.giveUp(id)) { // outside vb->acked, which the host's interrupt takes
            return Result.ACKED;
        }
        breakDevice(why);
        return Result.TIMED_OUT;
    }

    /**
     * The idle vCPU's halt polling ({@link #ACK_POLL_NS}): looks at the used ring without a lock until the host
     * used a buffer or the time is up; the wait that follows takes the buffer, or sleeps.
     */
    private static void pollUsed(Virtqueue vq) {
        long start = System.nanoTime();
        while (!vq.moreUsed() && System.nanoTime() - start < ACK_POLL_NS) {
            Thread.onSpinWait();
        }
    }

    /** How long tell_host() has been waiting for the host's acknowledgement (ms), or 0. */
    long waitingForAckMs() {
        long since = waitingForAckSince;
        return since == 0 ? 0 : Math.max(1, System.currentTimeMillis() - since);
    }

    /** After del_vqs(): a tell_host() waiting on a deleted queue wakes to see that nothing will come. */
    void queuesDeleted() {
        synchronized (acked) {
            acked.notifyAll();
        }
    }

    /** balloon_ack(): the inflate/deflate queues' interrupt wakes tell_host(). */
    void balloonAck(Virtqueue vq) {
        synchronized (acked) {
            acked.notifyAll();
        }
    }

    private void breakDevice(String why) {
        if (!vdev.broken()) {
            vb.devInfo(why);
        }
        vdev.breakDevice();
        synchronized (acked) {
            acked.notifyAll();
        }
    }
}
