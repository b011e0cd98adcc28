package org.mmlab.mm.internal;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;

import org.mmlab.mm.Hypervisor;

/**
 * The frames hosts took back from the guest (QEMU's ram_block_discard_range() after an inflate) and
 * what a guest access to one of them means: a fresh frame faulted in, or data loss. Nothing in mm/
 * models this; it is the lab's stand-in for the hypervisor's second-level page tables.
 */
final class HostFrames {
    /** At most 127 hosts holding frames at once: holder indices are bytes, freed when a host holds none. */
    private static final int MAX_HOSTS = 127;

    private final MemMap map;
    private final PageContent content;
    private final Dmesg dmesg;
    private final Hypervisor[] hosts = new Hypervisor[MAX_HOSTS + 1];
    /** Frames each index's host holds: an index whose host holds none is free again. */
    private final long[] heldBy = new long[MAX_HOSTS + 1];
    /** The holder of each PFN (index into hosts, 0 = none); made on the first discard. */
    private volatile byte[] holder;
    private final AtomicLong dataLoss = new AtomicLong();
    private final AtomicLong held = new AtomicLong();
    /** Frames hosts backed again because a dump read them (vmcore --naive). */
    private final AtomicLong backedForDumps = new AtomicLong();
    /** Frames discarded as reported free pages (free page reporting), held until the guest touches them. */
    private final BitSet reported = new BitSet();
    private long reportedReturned;

    HostFrames(MemMap map, PageContent content, Dmesg dmesg) {
        this.map = map;
        this.content = content;
        this.dmesg = dmesg;
    }

    /**
     * The host took the frame: the content is gone, and the frame is the host's until populated. A frame
     * discarded as a reported free page goes to the new host (a balloon inflating a page the guest freed,
     * reported and allocated again without touching it): QEMU discards it again, to no effect.
     */
    synchronized void discard(int pfn, Hypervisor host) {
        byte[] h = holder;
        if (h == null) {
            holder = h = new byte[map.nrPages];
        }
        if (!takeLocked(h, pfn, host)) {
            throw new IllegalStateException(String.format("pfn %#x: %s discards a frame %s already holds", pfn,
                    host.name(), hosts[h[pfn]].name()));
        }
        held.incrementAndGet();
    }

    /**
     * {@link #discard(int, Hypervisor)} of pfns[from..to) in turn, in one section instead of one a frame (a host
     * discarding a buffer of PFNs: QEMU's virtio_balloon_handle_output() calls balloon_inflate_page() for each
     * PFN of one element, under no lock of the guest's). Each frame as discard() has it: a reported frame goes to
     * the new host, the content oracle discards it. Stops at the first frame discard() would refuse (another host
     * holds it, or it is outside memory), changing nothing of it, and returns its index; to if it took them all.
     */
    synchronized int discard(int[] pfns, int from, int to, Hypervisor host) {
        byte[] h = holder;
        if (h == null) {
            holder = h = new byte[map.nrPages];
        }
        int k = from;
        try {
            for (; k < to; k++) {
                int pfn = pfns[k];
                if (pfn < 0 || pfn >= h.length || !takeLocked(h, pfn, host)) {
                    break;
                }
            }
        } finally {
            held.addAndGet(k - from);
        }
        return k;
    }

    /**
     * The host takes the frame, unless another host holds it (false, nothing changed): a reported frame is let go
     * first; the content is gone. {@link #held} is the caller's to count. Caller holds this.
     */
    private boolean takeLocked(byte[] h, int pfn, Hypervisor host) {
        if (h[pfn] != 0 && reported.get(pfn)) {
            release(h, pfn);
        }
        if (h[pfn] != 0) {
            return false;
        }
        int i = indexOf(host);
        h[pfn] = (byte) i;
        heldBy[i]++;
        content.discard(pfn);
        return true;
    }

    /**
     * QEMU's virtio_balloon_handle_report(): the host discards a reported free page; the guest faults a
     * zeroed frame in when it touches it again. A frame this host discarded already stays as it is.
     */
    synchronized void discardReported(int pfn, Hypervisor host) {
        if (holder(pfn) == host && reported.get(pfn)) {
            return;
        }
        discard(pfn, host);
        reported.set(pfn);
    }

    /** Frames hosts hold as reported free pages. */
    synchronized long reportedHeld() {
        return reported.cardinality();
    }

    /** Reported frames given back since boot (the guest touched them, or a balloon took them). */
    synchronized long reportedReturned() {
        return reportedReturned;
    }

    /** The host gave the frame back; a later access finds a zeroed frame. */
    synchronized void populate(int pfn) {
        byte[] h = holder;
        if (h == null || h[pfn] == 0) {
            throw new IllegalStateException(String.format("pfn %#x: no host holds it", pfn));
        }
        giveBackLocked(h, pfn);
        held.decrementAndGet();
    }

    /**
     * {@link #populate(int)} of pfns[from..to) in turn, in one section instead of one a frame (QEMU's
     * balloon_deflate_page() for each PFN of a deflate buffer). Stops at the first frame populate() would refuse
     * (no host holds it, or it is outside memory), changing nothing of it, and returns its index; to if it gave
     * them all back.
     */
    synchronized int populate(int[] pfns, int from, int to) {
        byte[] h = holder;
        int k = from;
        if (h == null) {
            return k;
        }
        try {
            for (; k < to; k++) {
                int pfn = pfns[k];
                if (pfn < 0 || pfn >= h.length || h[pfn] == 0) {
                    break;
                }
                giveBackLocked(h, pfn);
            }
        } finally {
            held.addAndGet(from - k);
        }
        return k;
    }

    /** The frame is the guest's again, zeroed; {@link #held} is the caller's to count. Caller holds this. */
    private void giveBackLocked(byte[] h, int pfn) {
        releaseUncounted(h, pfn);
        content.write(pfn, 0);
    }

    /** The frame is no host's any more; its host's index is free once it holds none. Caller holds this. */
    private void release(byte[] h, int pfn) {
        releaseUncounted(h, pfn);
        held.decrementAndGet();
    }

    /** release() but for {@link #held}, which the caller counts. Caller holds this. */
    private void releaseUncounted(byte[] h, int pfn) {
        int i = h[pfn];
        h[pfn] = 0;
        if (reported.get(pfn)) {
            reported.clear(pfn);
            reportedReturned++;
        }
        if (--heldBy[i] == 0) {
            hosts[i] = null;
        }
    }

    Hypervisor holder(int pfn) {
        byte[] h = holder;
        return h == null || h[pfn] == 0 ? null : hosts[h[pfn]];
    }

    private int indexOf(Hypervisor host) {
        int free = 0;
        for (int i = 1; i <= MAX_HOSTS; i++) {
            if (hosts[i] == host) {
                return i;
            }
            if (free == 0 && hosts[i] == null) {
                free = i;
            }
        }
        if (free == 0) {
            throw new IllegalStateException("more than " + MAX_HOSTS + " hosts hold frames of this guest at once");
        }
        hosts[free] = host;
        return free;
    }

    /**
     * A guest access to the frame (a load, a store, a copy): free unless a host holds it. If it does,
     * the host either faults a fresh frame in (the access goes on, on zeroes) or the access is data
     * loss, reported in dmesg and counted for mm:check.
     */
    void access(int pfn, String access) {
        byte[] h = holder;
        if (h == null || h[pfn] == 0) {
            return;
        }
        Hypervisor host;
        boolean loss;
        synchronized (this) {
            if (h[pfn] == 0) {
                return;
            }
            host = hosts[h[pfn]];
            loss = !host.faultsInOnAccess();
            if (!loss) {
                release(h, pfn);
                content.write(pfn, 0);
            }
        }
        if (loss) {
            dataLoss.incrementAndGet();
            dmesg.warn(String.format("BUG: mmlab: data loss: %s of pfn %#x, which %s holds (discarded at inflate)"
                    + "%nCPU: 0 PID: 1 Comm: %s%n%s", access, pfn, host.name(), MmDebug.comm(), MmDebug.javaTrace()), null);
        }
        host.guestAccessedHeldFrame(pfn, access);
    }

    /**
     * A dump tool read a frame (kdump's /proc/vmcore): if a host holds it, the host must back it again
     * with a zeroed frame to answer the read, and counts it; the frame stays the host's (the balloon
     * still has it), and it is no guest access, so no data loss. Returns the holder, or null.
     */
    Hypervisor dumpRead(int pfn) {
        Hypervisor host = holder(pfn);
        if (host != null) {
            backedForDumps.incrementAndGet();
        }
        return host;
    }

    /** Frames hosts backed for dumps since boot. */
    long backedForDumps() {
        return backedForDumps.get();
    }

    /** Guest accesses that found a frame a host had discarded and would not fault in. */
    long dataLoss() {
        return dataLoss.get();
    }

    /** Frames hosts hold now. */
    long held() {
        return held.get();
    }

    /** Every frame a host holds, with its host (for mm:check, with the machine stopped). */
    void forEachHeld(HeldFrameVisitor v) {
        byte[] h = holder;
        if (h == null) {
            return;
        }
        for (int pfn = 0; pfn < h.length; pfn++) {
            if (h[pfn] != 0) {
                v.visit(pfn, hosts[h[pfn]]);
            }
        }
    }

    interface HeldFrameVisitor {
        void visit(int pfn, Hypervisor host);
    }
}
