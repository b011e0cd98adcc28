package org.mmlab.virtio.internal;

import java.util.BitSet;

import org.mmlab.balloon.devices.HostFrameRuns;
import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.Ratelimit;
import org.mmlab.mm.hinting.PageAllocHinting;

/**
 * Models QEMU's virtio-balloon device (hw/virtio/virtio-balloon.c), the host side of one device: it
 * sets the target (config num_pages) and interrupts, consumes the guest's buffers on its own thread
 * (discarding inflated frames with ram_block_discard_range()'s effect, giving deflated ones back),
 * acknowledges them on the used ring, keeps the stats buffer until it wants stats, and drives free
 * page hinting with command ids. It keeps the set of frames it holds (and says in dmesg when the guest
 * deflates one it does not hold: a driver talking to the wrong host), and may be told to misbehave.
 * Free page reporting is virtio_balloon_handle_report(): each reported block's frames are discarded
 * (ram_block_discard_range()) unless poison_val is set, and a guest access faults a zeroed frame back in;
 * those frames are held by {@link #reportingHost}, and mm-core's oracle says if one the guest used went.
 */
public final class BalloonHost implements Hypervisor {
    /** QEMU's VIRTIO_BALLOON_FREE_PAGE_HINT_CMD_ID_MIN: the first command id it hands out. */
    static final long FREE_PAGE_HINT_CMD_ID_MIN = 0x8000_0000L;

    private final VirtioDevice vdev;
    private final MemoryManager mm;
    private final PageAllocHinting hinting;
    /**
     * The host as the holder of discarded reported frames: QEMU discards them without keeping anything, so
     * a guest access faults a fresh zeroed frame in (never data loss by itself).
     */
    final Hypervisor reportingHost = new Hypervisor() {
        @Override
        public String name() {
            return BalloonHost.this.name() + " (free page reporting)";
        }

        @Override
        public boolean faultsInOnAccess() {
            return true;
        }

        @Override
        public void guestAccessedHeldFrame(int pfn, String access) {
            // mm-core counts the frames given back (PageAllocHinting.reportedFramesReturned())
        }
    };
    private final Object ring;
    /** Frames this host holds (guarded by the ring lock). */
    private final BitSet held = new BitSet();
    /**
     * Frames the guest faulted back in (no MUST_TELL_HOST) while their deflate buffer was still on the
     * available ring: the host no longer holds them, but the guest's deflate is yet to come.
     */
    private final BitSet faultedBeforeDeflate = new BitSet();
    /** The PFNs of a buffer the host discards or gives back in one section (guarded by the ring lock). */
    private int[] run = new int[VirtioBalloon.VIRTIO_BALLOON_ARRAY_PFNS_MAX];
    private volatile HostMisbehaviour behaviour = HostMisbehaviour.NORMAL;
    private volatile boolean running;
    private Thread thread;
    private long generation;
    // counters, guarded by the ring lock
    private long ackedBuffers;
    private long inflated;
    private long deflated;
    private long deflateNotHeld;
    private long inflateAlreadyHeld;
    private long conflicts;
    private long faultedIn;
    private volatile long dataLoss;
    private final Ratelimit oddBufferRatelimit = new Ratelimit();
    // stats
    private Virtqueue.Buffer statsBuffer;
    private long[] lastStats;
    private long statsReceived;
    // free page hinting
    private long nextCmdId = FREE_PAGE_HINT_CMD_ID_MIN;
    private long hintCmdId;
    private long hintStartReceived;
    private boolean hintStopReceived;
    private long hintedBlocks;
    // free page reporting
    private long reportBuffers;
    private long reportedPages;
    private long reportSkipped;

    BalloonHost(VirtioDevice vdev, MemoryManager mm, PageAllocHinting hinting) {
        this.vdev = vdev;
        this.mm = mm;
        this.hinting = hinting;
        this.ring = vdev.ringLock;
    }

    @Override
    public String name() {
        return "virtio-balloon host " + vdev.name;
    }

    @Override
    public boolean faultsInOnAccess() {
        return !vdev.hasFeature(Uapi.VIRTIO_BALLOON_F_MUST_TELL_HOST);
    }

    @Override
    public void guestAccessedHeldFrame(int pfn, String access) {
        if (!faultsInOnAccess()) {
            synchronized (ring) {
                dataLoss++;
            }
            return;
        }
        // mm-core faulted a fresh frame in: the host no longer holds it
        synchronized (ring) {
            if (held.get(pfn)) {
                held.clear(pfn);
                faultedIn++;
                Virtqueue deflate = vdev.vq(VirtioBalloon.VQ_DEFLATE);
                if (deflate != null && deflate.availContainsLocked(pfn)) {
                    faultedBeforeDeflate.set(pfn);
                }
            }
        }
    }

    /** The host's thread: consumes available buffers until {@link #stop()}. */
    void start() {
        running = true;
        thread = new Thread(this::run, "virtio-balloon host " + vdev.name);
        thread.setDaemon(true);
        thread.start();
    }

    /** The device goes away: the thread ends (bounded wait). */
    void stop() {
        running = false;
        synchronized (ring) {
            ring.notifyAll();
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (running) {
            Virtqueue vq = null;
            Virtqueue.Buffer b = null;
            long gen;
            synchronized (ring) {
                while (running && (behaviour.noAck() || (vq = nextAvailLocked()) == null)) {
                    try {
                        ring.wait(100);
                    } catch (InterruptedException e) {
                        if (!running) {
                            return;
                        }
                    }
                }
                if (!running) {
                    return;
                }
                b = vq.popAvailLocked();
                gen = generation;
                if (vq.name.equals(PageReportingDev.VQ_REPORTING)) {
                    vq.beginUseLocked(b);
                } else {
                    applyLocked(vq, b);
                }
            }
            if (vq.name.equals(PageReportingDev.VQ_REPORTING)) {
                try {
                    handleReport(b); // outside the ring lock: the oracle takes the guest's zone lock
                } finally {
                    synchronized (ring) {
                        vq.endUseLocked(b);
                    }
                }
            }
            long delay = behaviour.ackDelayMs();
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    if (!running) {
                        return;
                    }
                }
            }
            synchronized (ring) {
                if (gen != generation) {
                    continue; // the device was reset meanwhile: the buffer is gone
                }
                if (vq.name.equals(VirtioBalloon.VQ_STATS)) {
                    statsBuffer = b; // kept until the host wants new stats
                    ring.notifyAll();
                    continue;
                }
                vq.pushUsedLocked(b);
                ackedBuffers++;
            }
            vq.interrupt();
        }
    }

    private Virtqueue nextAvailLocked() {
        for (Virtqueue vq : vdev.vqs()) {
            if (vq.availCountLocked() > 0) {
                return vq;
            }
        }
        return null;
    }

    /** Uses one buffer: what QEMU's handle_output does for the queue. */
    private void applyLocked(Virtqueue vq, Virtqueue.Buffer b) {
        switch (vq.name) {
            case VirtioBalloon.VQ_INFLATE:
                inflateLocked(b.pfns());
                break;
            case VirtioBalloon.VQ_DEFLATE:
                deflateLocked(b.pfns());
                break;
            case VirtioBalloon.VQ_STATS:
                lastStats = b.stats().clone();
                statsReceived++;
                break;
            case VirtioBalloon.VQ_FREE_PAGE:
                if (b.pfns() == null) {
                    if (b.cmdId() == Uapi.VIRTIO_BALLOON_CMD_ID_STOP) {
                        hintStopReceived = true;
                    } else {
                        hintStartReceived = b.cmdId();
                    }
                } else if (hintStartReceived == hintCmdId && !hintStopReceived) {
                    hintedBlocks++; // QEMU clears the dirty bits of the block: it will not migrate it
                }
                break;
            default:
                break;
        }
        ring.notifyAll();
    }

    /**
     * virtio_balloon_handle_report(): "if (virtio_balloon_inhibited() || dev->poison_val) goto skip_element"
     * (the guest expects a freed page to keep its poison), else ram_block_discard_range() of each block.
     */
    private void handleReport(Virtqueue.Buffer b) {
        long pages = 0;
        for (int order : b.orders()) {
            pages += 1L << order;
        }
        boolean skip = vdev.config.readLe32(Uapi.CONFIG_POISON_VAL) != 0;
        if (!skip) {
            int[] pfns = b.pfns();
            for (int i = 0; i < pfns.length; i++) {
                for (int p = pfns[i]; p < pfns[i] + (1 << b.orders()[i]); p++) {
                    hinting.hostDiscardReportedFrame(p, reportingHost);
                }
            }
        }
        synchronized (ring) {
            reportBuffers++;
            if (skip) {
                reportSkipped += pages;
            } else {
                reportedPages += pages;
            }
        }
    }

    /**
     * virtio_balloon_handle_output() of an inflate buffer: balloon_inflate_page() of each PFN in turn. The frames
     * mm-core discards go in runs, one {@link MemoryManager#hostDiscardFrames} section a run instead of one a
     * frame, with the same outcome frame by frame as one call each: a frame this host holds already (a PFN twice
     * in the buffer too) is counted, one another host holds is a conflict, said in dmesg.
     */
    private void inflateLocked(int[] pfns) {
        int[] run = runLocked(pfns.length);
        int n = 0;
        for (int pfn : pfns) {
            if (held.get(pfn)) {
                discardRunLocked(run, n); // the PFN may be in the run, and refused: as one call a frame would see it
                n = 0;
                if (held.get(pfn)) {
                    inflateAlreadyHeld++;
                    continue;
                }
            }
            held.set(pfn); // cleared again if mm-core refuses it
            run[n++] = pfn;
        }
        discardRunLocked(run, n);
    }

    /** hostDiscardFrame() of run[0..n) in one section, each refused frame as one call would have it. */
    private void discardRunLocked(int[] run, int n) {
        int i = 0;
        while (i < n) {
            int stop = mm.hostDiscardFrames(run, i, n, this);
            inflated += stop - i;
            if (stop == n) {
                break;
            }
            int pfn = run[stop];
            try {
                mm.hostDiscardFrame(pfn, this); // says why it refused
                inflated++;
            } catch (RuntimeException e) {
                held.clear(pfn);
                conflicts++;
                mm.printk("virtio_balloon " + vdev.devName + ": host: cannot discard pfn " + String.format("%#x", pfn)
                        + ": " + e.getMessage());
            }
            i = stop + 1;
        }
    }

    /**
     * virtio_balloon_handle_output() of a deflate buffer: balloon_deflate_page() of each PFN in turn, the frames
     * this host gives back in runs of one {@link MemoryManager#hostPopulateFrames} section each.
     */
    private void deflateLocked(int[] pfns) {
        int[] run = runLocked(pfns.length);
        int n = 0;
        for (int pfn : pfns) {
            if (faultedBeforeDeflate.get(pfn)) {
                faultedBeforeDeflate.clear(pfn);
                deflated++;
                continue;
            }
            if (!held.get(pfn)) {
                populateRunLocked(run, n); // the frames before it are given back, as one call a frame has them
                n = 0;
                deflateNotHeld++;
                // QEMU would only madvise the frame back; the lab's host knows the guest asked the wrong host
                if (oddBufferRatelimit.allow(name(), mm::printk)) {
                    Hypervisor holder = mm.frameHolder(pfn);
                    mm.printk(String.format("WARNING: %s: deflate of a frame it does not hold: pfn %#x%s", name(), pfn,
                            holder == null ? "" : ", which " + holder.name() + " holds"));
                }
                continue;
            }
            held.clear(pfn); // set again if mm-core refuses it
            run[n++] = pfn;
        }
        populateRunLocked(run, n);
    }

    /** hostPopulateFrame() of run[0..n) in one section; a frame mm-core refuses throws, as one call would. */
    private void populateRunLocked(int[] run, int n) {
        long before = deflated;
        try {
            HostFrameRuns.populate(mm, run, 0, n, (from, to) -> deflated += to - from);
        } finally {
            for (int j = (int) (deflated - before); j < n; j++) {
                held.set(run[j]); // not given back
            }
        }
    }

    /** The scratch array of a buffer's runs, n PFNs at least (guarded by the ring lock). */
    private int[] runLocked(int n) {
        if (run.length < n) {
            run = new int[n];
        }
        return run;
    }

    /** Device reset: every buffer dropped, every held frame given back. Caller holds the ring lock. */
    void resetLocked() {
        generation++;
        int[] run = runLocked(held.cardinality());
        int n = 0;
        for (int pfn = held.nextSetBit(0); pfn >= 0; pfn = held.nextSetBit(pfn + 1)) {
            run[n++] = pfn;
        }
        HostFrameRuns.populate(mm, run, 0, n, (from, to) -> { });
        held.clear();
        faultedBeforeDeflate.clear();
        statsBuffer = null;
        ring.notifyAll();
    }

    // ---------------------------------------------------------------- what the host does on its own

    /** The host changes its target: config num_pages, then a config-change interrupt. */
    public void setTarget(long pages) {
        vdev.config.writeLe32(Uapi.CONFIG_NUM_PAGES, pages);
        vdev.configChangedInterrupt();
    }

    public long target() {
        return vdev.config.readLe32(Uapi.CONFIG_NUM_PAGES);
    }

    /** config actual, as the guest last wrote it. */
    public long actual() {
        return vdev.config.readLe32(Uapi.CONFIG_ACTUAL);
    }

    public void setMisbehaviour(HostMisbehaviour m) {
        behaviour = m;
        synchronized (ring) {
            ring.notifyAll();
        }
    }

    public HostMisbehaviour misbehaviour() {
        return behaviour;
    }

    /**
     * Asks the guest for fresh stats (returns the stats buffer it kept) and waits up to timeoutMs for
     * them. Returns false, changing nothing, if STATS_VQ is not negotiated, the guest has not given a
     * buffer, or no stats came in time.
     */
    public boolean requestStats(long timeoutMs) throws InterruptedException {
        Virtqueue vq = vdev.vq(VirtioBalloon.VQ_STATS);
        if (vq == null || behaviour.noAck()) {
            return false;
        }
        long before;
        synchronized (ring) {
            if (statsBuffer == null) {
                return false;
            }
            vq.pushUsedLocked(statsBuffer);
            statsBuffer = null;
            before = statsReceived;
        }
        vq.interrupt();
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (ring) {
            while (statsReceived == before) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                ring.wait(left);
            }
            return true;
        }
    }

    /** The stats as the host last received them (tag order), or null if none came yet. */
    public long[] lastStats() {
        synchronized (ring) {
            return lastStats == null ? null : lastStats.clone();
        }
    }

    /** Starts a free page hinting round (as QEMU does when migration begins): a new command id. */
    public long startHinting() {
        long id;
        synchronized (ring) {
            id = nextCmdId++;
            hintCmdId = id;
            hintStartReceived = 0;
            hintStopReceived = false;
            hintedBlocks = 0;
        }
        vdev.config.writeLe32(Uapi.CONFIG_FREE_PAGE_HINT_CMD_ID, id);
        vdev.configChangedInterrupt();
        return id;
    }

    /** Waits up to timeoutMs until the guest sent the stop id for the current round. */
    public boolean awaitHintStop(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (ring) {
            while (!hintStopReceived) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                ring.wait(left);
            }
            return true;
        }
    }

    /** Ends hinting: CMD_ID_STOP (stop now) or CMD_ID_DONE (the guest may take its hinted pages back). */
    public void sendHintCommand(long cmdId) {
        vdev.config.writeLe32(Uapi.CONFIG_FREE_PAGE_HINT_CMD_ID, cmdId);
        vdev.configChangedInterrupt();
    }

    // ---------------------------------------------------------------- the host's view

    /** What `virtio:host` prints and the check compares. */
    public record View(long held, long faultedBeforeDeflate, long ackedBuffers, long inflated, long deflated,
            long deflateNotHeld, long inflateAlreadyHeld, long conflicts, long faultedIn, long dataLoss,
            long hintCmdId, long hintedBlocks, boolean hintStopped, String misbehaviour, long reportBuffers,
            long reportedPages, long reportSkipped) {
    }

    public View view() {
        synchronized (ring) {
            return viewLocked();
        }
    }

    View viewLocked() {
        return new View(held.cardinality(), faultedBeforeDeflate.cardinality(), ackedBuffers, inflated, deflated,
                deflateNotHeld, inflateAlreadyHeld, conflicts, faultedIn, dataLoss, hintCmdId, hintedBlocks,
                hintStopReceived, behaviour.toString(), reportBuffers, reportedPages, reportSkipped);
    }

    /** Held frames mm-core does not list as this host's (with the ring lock held). */
    long heldNotInGuestLocked() {
        long n = 0;
        for (int pfn = held.nextSetBit(0); pfn >= 0; pfn = held.nextSetBit(pfn + 1)) {
            if (mm.frameHolder(pfn) != this) {
                n++;
            }
        }
        return n;
    }

    long dataLoss() {
        return dataLoss;
    }

    boolean holds(int pfn) {
        synchronized (ring) {
            return held.get(pfn);
        }
    }
}
