package org.mmlab.hyperv.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.Mm;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.PageType;

/**
 * Models drivers/hv/hv_balloon.c of v6.18.2: the Hyper-V dynamic-memory driver's balloon (balloon_up(),
 * alloc_balloon_pages(), balloon_down(), free_balloon_pages()), its pressure reports (post_status(),
 * compute_balloon_floor()) and the hot-add path's fake-offline pages (hot_add_req(), hv_online_page(),
 * hv_page_online_one()).
 *
 * <p>The rules, from that kernel:
 * <ol type="i">
 * <li>Ballooned pages are allocated with GFP_HIGHUSER | __GFP_NORETRY | __GFP_NOMEMALLOC | __GFP_NOWARN,
 *     2 MiB at a time, split (split_page()) so the host may give them back in any order, and 4 KiB at a
 *     time once a 2 MiB allocation failed; each is __SetPageOffline() and leaves totalram
 *     (adjust_managed_page_count(-1)), and NR_BALLOON_PAGES counts it.</li>
 * <li>The guest balloons no further than its floor (compute_balloon_floor()) below MemAvailable: a request
 *     is "partially fulfilled".</li>
 * <li>The host gives pages back by naming them; free_balloon_pages() clears PageOffline and frees each.</li>
 * <li>A hot-added page the host does not back stays PageOffline (fake offline: "pages kept back") and is
 *     onlined (generic_online_page()) only when a later hot-add covers it.</li>
 * <li>hv_balloon uses no balloon compaction (no balloon_dev_info, no movable_ops): its pages are unmovable
 *     PageOffline pages that compaction and migration skip. The lab keeps them on a balloon-api device
 *     without migration, as the stand-in for num_pages_ballooned that balloon:list and mm:check read.</li>
 * <li>balloon_remove() gives nothing back: "Ballooned pages: N", and the pages stay the host's.</li>
 * </ol>
 */
public final class HvBalloon {
    static final int GFP_HV_BALLOON = Gfp.GFP_HIGHUSER | Gfp.__GFP_NORETRY | Gfp.__GFP_NOMEMALLOC | Gfp.__GFP_NOWARN;
    /** balloon_probe() waits 5 s for the host's version answer (wait_for_completion_timeout(5*HZ)). */
    static final long PROBE_TIMEOUT_MS = 5_000;

    final String name;
    final MemoryManager mm;
    private final Balloons balloons;
    private final MovablePages movablePages;
    private final VmbusChannel channel;
    final HvHost host;
    final HotAddSpace space;
    BalloonDevInfo bDevInfo;
    private volatile CompletableFuture<Boolean> versionAnswer;
    private volatile int version;

    // guarded by this
    private long numPagesBallooned;

    HvBalloon(String name, MemoryManager mm, Balloons balloons, MovablePages movablePages, VmbusChannel channel,
            HvHost host, long hotAddSpace) {
        this.name = name;
        this.mm = mm;
        this.balloons = balloons;
        this.movablePages = movablePages;
        this.channel = channel;
        this.host = host;
        this.space = new HotAddSpace(this, hotAddSpace);
    }

    /** balloon_probe(): the channel, the version the host accepts (WIN10 first, then older), the hot-add space. */
    void balloonProbe() throws InterruptedException {
        bDevInfo = balloons.balloonDevinfoInit("hv-balloon " + name, null, true);
        channel.open(this::balloonOnchannelcallback, host::receive);
        for (int v : new int[] {DmProtocol.DYNMEM_PROTOCOL_VERSION_WIN10, DmProtocol.DYNMEM_PROTOCOL_VERSION_WIN8,
            DmProtocol.DYNMEM_PROTOCOL_VERSION_WIN7}) {
            versionAnswer = new CompletableFuture<>();
            channel.sendToHost(new DmMessage.VersionRequest(v));
            if (awaitVersion()) {
                version = v;
                break;
            }
        }
        if (version == 0) {
            balloonRemove();
            throw new IllegalStateException("hv_balloon " + name + ": the host accepted no protocol version");
        }
        space.reserve();
        postStatus();
    }

    private boolean awaitVersion() throws InterruptedException {
        try {
            return versionAnswer.get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** balloon_remove() (rule vi): the host keeps what it holds; the lab's never hot-added space goes back. */
    void balloonRemove() throws InterruptedException {
        long n = ballooned();
        if (n != 0) {
            mm.printk("hv_balloon: Ballooned pages: " + n);
        }
        host.close();
        channel.close();
        space.release();
        if (n == 0 && bDevInfo != null) {
            balloons.balloonDevinfoRemove(bDevInfo);
        }
    }

    /**
     * balloon_onchannelcallback(): the host's message, on the channel thread. The kernel hands balloon and
     * hot-add requests to work items; here the channel's one thread is that work.
     */
    private void balloonOnchannelcallback(DmMessage m) {
        // each message's work is one step to mm:check: the pages and the host's frames change together
        mm.preemptDisable();
        try {
            handle(m);
        } finally {
            mm.preemptEnable();
        }
    }

    private void handle(DmMessage m) {
        if (m instanceof DmMessage.VersionResponse r) {
            versionAnswer.complete(r.accepted());
        } else if (m instanceof DmMessage.BalloonRequest r) {
            balloonUp(r.numPages());
        } else if (m instanceof DmMessage.UnballoonRequest r) {
            balloonDown(r);
        } else if (m instanceof DmMessage.HotAddRequest r) {
            space.hotAddReq(r.range());
        }
    }

    /** balloon_up(): rules i and ii; one response per page of ranges, the last with more_pages 0. */
    void balloonUp(int requested) {
        int allocUnit = DmProtocol.PAGES_IN_2M;
        long availPages = mm.memAvailable();
        long floor = computeBalloonFloor();
        long numPages = requested;
        if (availPages < numPages || availPages - numPages < floor) {
            mm.printk("hv_balloon: Balloon request will be partially fulfilled. " + (availPages < numPages
                    ? "Not enough memory." : "Balloon floor reached."));
            numPages = availPages > floor ? availPages - floor : 0;
        }
        long numBallooned = 0;
        boolean done = false;
        while (!done) {
            long[] ranges = new long[DmProtocol.MAX_RANGES];
            numPages -= numBallooned;
            int[] count = new int[1];
            numBallooned = allocBalloonPages(numPages, ranges, count, allocUnit);
            if (allocUnit != 1 && numBallooned == 0) {
                allocUnit = 1;
                continue;
            }
            done = numBallooned == 0 || numBallooned == numPages;
            channel.sendToHost(new DmMessage.BalloonResponse(java.util.Arrays.copyOf(ranges, count[0]), !done));
            postStatus();
        }
    }

    /** alloc_balloon_pages(): up to numPages in allocUnit pages, one range each, as many as a message holds. */
    private long allocBalloonPages(long numPages, long[] ranges, int[] count, int allocUnit) {
        int order = Integer.numberOfTrailingZeros(allocUnit);
        long i = 0;
        for (; i < numPages / allocUnit; i++) {
            if (count[0] == ranges.length) {
                break;
            }
            int pfn = mm.allocPages(GFP_HV_BALLOON, order);
            if (pfn == Mm.NO_PAGE) {
                break;
            }
            if (allocUnit != 1) {
                mm.splitPage(pfn, order);
            }
            for (int j = 0; j < allocUnit; j++) {
                balloons.balloonPageEnqueue(bDevInfo, pfn + j); // NR_BALLOON_PAGES, managed count -1
                if (mm.pageType(pfn + j) != PageType.OFFLINE) {
                    movablePages.setPageOffline(pfn + j); // __SetPageOffline(): the 2012 core marks nothing
                }
            }
            changeBallooned(allocUnit);
            ranges[count[0]++] = DmProtocol.range(pfn, allocUnit);
        }
        return i * allocUnit;
    }

    /** balloon_down(): rule iii for every range, then DM_UNBALLOON_RESPONSE after the last message. */
    private void balloonDown(DmMessage.UnballoonRequest req) {
        for (long range : req.ranges()) {
            freeBalloonPages(range);
        }
        if (!req.morePages()) {
            channel.sendToHost(new DmMessage.UnballoonResponse());
        }
        postStatus();
    }

    /** free_balloon_pages(). */
    private void freeBalloonPages(long range) {
        int start = (int) DmProtocol.startPage(range);
        for (int i = 0; i < DmProtocol.pageCnt(range); i++) {
            balloons.balloonPageDelete(bDevInfo, start + i); // NR_BALLOON_PAGES, managed count +1
            movablePages.clearPageOffline(start + i);
            mm.freePages(start + i, 0);
            changeBallooned(-1);
        }
    }

    /** compute_balloon_floor(): a piecewise linear function of totalram (in MiB: 128 → 72, 512 → 168, ...). */
    long computeBalloonFloor() {
        long nrPages = mm.totalramPages();
        if (nrPages < mb2pages(128)) {
            return mb2pages(8) + (nrPages >> 1);
        } else if (nrPages < mb2pages(512)) {
            return mb2pages(40) + (nrPages >> 2);
        } else if (nrPages < mb2pages(2048)) {
            return mb2pages(104) + (nrPages >> 3);
        } else if (nrPages < mb2pages(8192)) {
            return mb2pages(232) + (nrPages >> 4);
        }
        return mb2pages(488) + (nrPages >> 5);
    }

    private static long mb2pages(long mb) {
        return mb << (20 - Mm.PAGE_SHIFT);
    }

    /**
     * post_status(): MemAvailable and committed memory (get_pages_committed(): the lab's used pages for
     * vm_memory_committed(), plus the ballooned pages, the fake-offline ones and the floor). The kernel posts
     * it every second; the lab after each operation.
     */
    void postStatus() {
        long used = mm.totalramPages() - mm.memAvailable();
        long committed = Math.max(0, used) + ballooned() + space.fakeOffline() + computeBalloonFloor();
        channel.sendToHost(new DmMessage.Status(mm.memAvailable(), committed));
    }

    private synchronized void changeBallooned(long delta) {
        numPagesBallooned += delta;
    }

    /** dm->num_pages_ballooned. */
    public synchronized long ballooned() {
        return numPagesBallooned;
    }

    public HotAddSpace space() {
        return space;
    }

    String version() {
        return DmProtocol.versionName(version);
    }

    MovablePages movablePages() {
        return movablePages;
    }

    void send(DmMessage m) {
        channel.sendToHost(m);
    }
}
