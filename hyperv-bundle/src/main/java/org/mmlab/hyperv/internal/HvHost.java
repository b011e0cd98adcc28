package org.mmlab.hyperv.internal;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;

import org.mmlab.balloon.devices.HostFrameRuns;
import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.MemoryManager;

/**
 * The Hyper-V host side of one balloon device (not in the kernel: what the VMBus channel reaches), with
 * the rules hv_balloon.c v6.18.2 expects of it:
 * <ol type="i">
 * <li>It accepts protocol versions up to WIN10 (DM_VERSION_RESPONSE).</li>
 * <li>To shrink the guest it sends DM_BALLOON_REQUEST(n); the guest answers with DM_BALLOON_RESPONSEs
 *     naming the pages it gave, the last with more_pages 0. The host then holds those frames: their content
 *     is discarded, and a guest access to one is data loss (the oracle of virtio's and VMware's hosts).
 *     Fewer pages than asked means the guest is at its floor: the host asks no more until a new target.</li>
 * <li>To grow it back it backs frames it holds and sends DM_UNBALLOON_REQUEST with their ranges, the
 *     last ballooned first; the guest frees them and answers DM_UNBALLOON_RESPONSE.</li>
 * <li>One request at a time: the next goes when the last is answered.</li>
 * <li>A hot-add (DM_MEM_HOT_ADD_REQUEST) backs the frames of the range it names; the guest onlines them.
 *     Until then every frame of the device's hot-add space is the host's: not backed, not the guest's
 *     to touch.</li>
 * </ol>
 */
public final class HvHost implements Hypervisor {
    private final String name;
    private final MemoryManager mm;
    private final VmbusChannel channel;

    // guarded by this
    private final BitSet held = new BitSet();
    private long heldFrames;
    /** The ranges the guest ballooned, the last on top (what an unballoon gives back first). */
    private final Deque<long[]> ballooned = new ArrayDeque<>();
    private long balloonedPages;
    /** Pages of the unballoon request the guest has yet to answer. */
    private long unballooning;
    private long target;
    private boolean busy;
    private boolean atFloor;
    private long asked;
    private long gotThisRequest;
    private long requests;
    private String why = "";
    private String lastStatus = "none yet";
    private int version;
    private int[] space = new int[0];
    /** Pages of the space backed (hot-added) so far, from its start. */
    private int covered;
    private long hotAdded;
    private boolean hotAdding;
    private volatile long dataLoss;
    /** A message's frames, one run to mm-core. */
    private int[] run = new int[0];

    HvHost(String name, MemoryManager mm, VmbusChannel channel, long target) {
        this.name = name;
        this.mm = mm;
        this.channel = channel;
        this.target = target;
    }

    @Override
    public String name() {
        return "hyper-v host " + name;
    }

    /** A ballooned page's frame is gone until the host gives it back: touching it is data loss. */
    @Override
    public boolean faultsInOnAccess() {
        return false;
    }

    @Override
    public void guestAccessedHeldFrame(int pfn, String access) {
        dataLoss++;
    }

    /** What the guest sends (vmbus_sendpacket()). */
    void receive(DmMessage m) {
        if (m instanceof DmMessage.VersionRequest v) {
            boolean ok = v.version() <= DmProtocol.DYNMEM_PROTOCOL_VERSION_WIN10;
            synchronized (this) {
                version = ok ? v.version() : version;
            }
            channel.sendToGuest(new DmMessage.VersionResponse(ok));
        } else if (m instanceof DmMessage.Status s) {
            synchronized (this) {
                lastStatus = "avail " + s.numAvail() + " committed " + s.numCommitted();
            }
        } else if (m instanceof DmMessage.BalloonResponse r) {
            ballooned(r);
        } else if (m instanceof DmMessage.UnballoonResponse) {
            synchronized (this) {
                balloonedPages -= unballooning; // the guest freed them: ballooned no more
                unballooning = 0;
                notifyAll();
            }
            answered();
        } else if (m instanceof DmMessage.HotAddResponse r) {
            synchronized (this) {
                hotAdded += r.pageCount();
                hotAdding = false;
            }
        }
    }

    /** Rule ii: the frames are the host's now. */
    private void ballooned(DmMessage.BalloonResponse r) {
        synchronized (this) {
            int frames = 0;
            for (long range : r.ranges()) {
                frames += DmProtocol.pageCnt(range);
            }
            int[] pfns = scratch(frames);
            int k = 0;
            for (long range : r.ranges()) {
                k = fill(pfns, k, DmProtocol.startPage(range), DmProtocol.pageCnt(range));
            }
            take(pfns, 0, k); // the response's ranges in one run
            for (long range : r.ranges()) {
                long start = DmProtocol.startPage(range);
                int n = DmProtocol.pageCnt(range);
                ballooned.push(new long[] {start, n});
                balloonedPages += n;
                gotThisRequest += n;
            }
            notifyAll();
            if (r.morePages()) {
                return;
            }
            if (gotThisRequest < asked) {
                atFloor = true;
                notifyAll();
                why = String.format("the guest ballooned %d of the %d pages asked: its floor, or no memory to give",
                        gotThisRequest, asked);
            }
        }
        answered();
    }

    /**
     * The frames pfns[from..to) of the guest become the host's, in runs ({@link MemoryManager#hostDiscardFrames});
     * a frame mm-core refuses (another host holds it) throws, saying why, after the frames before it were taken,
     * as one call a frame had it.
     */
    synchronized void take(int[] pfns, int from, int to) {
        HostFrameRuns.discard(mm, this, pfns, from, to, (i, j) -> {
            for (int k = i; k < j; k++) {
                held.set(pfns[k]);
            }
            heldFrames += j - i;
        });
    }

    /** The host backs the frames pfns[from..to) it held again, in runs ({@link MemoryManager#hostPopulateFrames}). */
    synchronized void back(int[] pfns, int from, int to) {
        HostFrameRuns.populate(mm, pfns, from, to, (i, j) -> {
            for (int k = i; k < j; k++) {
                held.clear(pfns[k]);
            }
            heldFrames -= j - i;
        });
    }

    /** run[k..k+n) = start, start + 1, ...: a range's PFNs; returns k + n. */
    private static int fill(int[] run, int k, long start, int n) {
        for (int i = 0; i < n; i++) {
            run[k++] = (int) start + i;
        }
        return k;
    }

    /** The run of a message's frames, n at least (guarded by this). */
    private int[] scratch(int n) {
        if (run.length < n) {
            run = new int[n];
        }
        return run;
    }

    private void answered() {
        synchronized (this) {
            busy = false;
        }
        kick();
    }

    /** Rules ii to iv: the next request toward the target, if none is outstanding. */
    private void kick() {
        DmMessage next;
        synchronized (this) {
            if (busy) {
                return;
            }
            if (balloonedPages < target && !atFloor) {
                asked = Math.min(target - balloonedPages, Integer.MAX_VALUE);
                gotThisRequest = 0;
                next = new DmMessage.BalloonRequest((int) asked);
            } else if (balloonedPages > target) {
                next = unballoon(balloonedPages - target);
            } else {
                return;
            }
            busy = true;
            requests++;
        }
        if (!channel.sendToGuest(next)) {
            synchronized (this) {
                busy = false;
            }
        }
    }

    /** Rule iii: back the last ballooned ranges, up to excess pages and one message's ranges. */
    private DmMessage unballoon(long excess) {
        long[] ranges = new long[(int) Math.min(DmProtocol.MAX_RANGES, ballooned.size())];
        int n = 0;
        long left = excess;
        while (left > 0 && n < ranges.length) {
            long[] r = ballooned.pop();
            int take = (int) Math.min(left, r[1]);
            long start = r[0] + r[1] - take;
            if (take < r[1]) {
                ballooned.push(new long[] {r[0], r[1] - take});
            }
            int[] pfns = scratch(take);
            fill(pfns, 0, start, take);
            back(pfns, 0, take);
            ranges[n++] = DmProtocol.range(start, take);
            unballooning += take;
            left -= take;
        }
        return new DmMessage.UnballoonRequest(java.util.Arrays.copyOf(ranges, n), false);
    }

    /**
     * Waits until the pages the host holds as ballooned are not {@code last} any more, or the host stopped
     * short of its target (why() says why), at most timeoutMs; returns the pages ballooned.
     */
    public synchronized long awaitBallooned(long last, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        while (balloonedPages == last && why.isEmpty() && System.nanoTime() < end) {
            wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
        }
        return balloonedPages;
    }

    /** The host wants the balloon this big; a new target lifts rule ii's floor. */
    public void setTarget(long pages) {
        synchronized (this) {
            target = pages;
            atFloor = false;
            why = "";
        }
        kick();
    }

    /** The device's hot-add space (not present yet): every frame of it is the host's until hot-added. */
    void reserveSpace(int[] pfns) {
        synchronized (this) {
            space = pfns.clone();
        }
        take(pfns, 0, pfns.length);
    }

    /**
     * Rule v: the host backs the next count frames of the hot-add space and sends their range (the lab's space
     * is a list of pages, not one run of PFNs: a range is count pages of it from start on).
     *
     * @throws IllegalArgumentException if the space has fewer pages left
     */
    void hotAdd(long count) {
        long range;
        synchronized (this) {
            if (space.length == 0) {
                throw new IllegalArgumentException("device " + name + " has no hot-add space: give its configuration"
                        + " hotAddSpace=SIZE");
            }
            if (count <= 0) {
                throw new IllegalArgumentException("a hot-add of " + count + " pages: a hot-add is 1 page or more");
            }
            if (count > space.length - covered) {
                throw new IllegalArgumentException(String.format("a hot-add of %d pages: the hot-add space has %d of its"
                        + " %d pages left", count, space.length - covered, space.length));
            }
            range = DmProtocol.range(space[covered], count);
            hotAdding = true;
            back(space, covered, covered + (int) count);
            covered += (int) count;
        }
        channel.sendToGuest(new DmMessage.HotAddRequest(range));
    }

    /** The device goes (vmbus_close()): the host keeps what it holds, as Hyper-V does with ballooned memory. */
    synchronized void close() {
        busy = true;
    }

    /** What hv:host prints and the check compares. */
    public record View(long target, long held, long ballooned, long requests, String version, String lastStatus,
            String why, long dataLoss, boolean inFlight) {
    }

    public synchronized View view() {
        return new View(target, heldFrames, balloonedPages, requests, DmProtocol.versionName(version), lastStatus, why,
                dataLoss, busy || hotAdding);
    }

    synchronized boolean holds(int pfn) {
        return held.get(pfn);
    }
}
