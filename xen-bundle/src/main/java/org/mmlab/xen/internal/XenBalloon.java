package org.mmlab.xen.internal;

import java.util.ArrayDeque;
import java.util.Deque;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.Mm;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.PageType;
import org.mmlab.mm.lab.ModuleCaller;

/**
 * Models drivers/xen/balloon.c of v6.18.2 (and the memory/target watch of drivers/xen/xen-balloon.c): the
 * balloon thread, decrease_reservation() and increase_reservation() over simulated hypercalls, the
 * ballooned_pages list, and xen_alloc_ballooned_pages()/xen_free_ballooned_pages() for backend drivers.
 *
 * <p>The rules, from that kernel:
 * <ol type="i">
 * <li>balloon_append(): a ballooned page is __SetPageOffline(), goes on ballooned_pages (lowmem at the
 *     head; x86_64 has no highmem, so every page is balloon_low) and NR_BALLOON_PAGES counts it;
 *     balloon_retrieve() takes the head, clears PageOffline and the count.</li>
 * <li>decrease_reservation(): at most one frame_list (512 pages) per pass, alloc_page(GFP_BALLOON),
 *     adjust_managed_page_count(-1), balloon_append(), then XENMEM_decrease_reservation of all of them;
 *     an allocation failure ends the pass with BP_EAGAIN. current_pages drops by what was ballooned.</li>
 * <li>increase_reservation(): the first pages of the list (at most 512) are populated again, retrieved
 *     and handed to the allocator (free_reserved_page(): managed count +1); current_pages grows.</li>
 * <li>The balloon thread works off current_credit() = target_pages - current_pages, deflating only
 *     while the balloon holds pages; it balloons at most si_mem_available() at a time, and backs off
 *     (update_schedule(): schedule_delay 1, 2, 4 ... up to 32, then BP_ECANCELED after max_retry_count 4
 *     retries) while it cannot.</li>
 * <li>memory/target in the xenstore is KiB; its watch sets target_pages = target >> 2 (an HVM guest's
 *     target_diff is static-max minus the target at the first watch: 0 here, the toolstack writes both).</li>
 * <li>A backend's xen_alloc_ballooned_pages() takes pages off the list (ballooning more with GFP_USER when
 *     the list is short, -ENOMEM when MemAvailable is); they stay unpopulated, out of totalram, not
 *     PageOffline; xen_free_ballooned_pages() appends them again and wakes the thread.</li>
 * <li>There is no balloon compaction: the pages are unmovable PageOffline pages that compaction and
 *     migration skip (no balloon_dev_info, no movable_ops in the kernel). The lab keeps them on a balloon-api
 *     device without migration, as the stand-in for the balloon_low count balloon:list and mm:check read.</li>
 * <li>Without CONFIG_XEN_BALLOON_MEMORY_HOTPLUG (the lab has no hotplug for XEN), a credit the list cannot
 *     cover sets target_pages = current_pages + target_unpopulated and gives up: BP_ECANCELED.</li>
 * </ol>
 * Lab deviations: the thread's seconds are {@link #LAB_SECOND_MS} long, so a stalled balloon gives up in
 * 1.5 s rather than 15; a pass limited by MemAvailable ends in BP_EAGAIN (the kernel: only when below
 * totalreserve_pages, which the lab's drivers cannot read).
 */
public final class XenBalloon {
    static final int GFP_BALLOON = Gfp.GFP_HIGHUSER | Gfp.__GFP_NOWARN | Gfp.__GFP_NORETRY | Gfp.__GFP_NOMEMALLOC;
    /** frame_list: PAGE_SIZE / sizeof(xen_pfn_t). */
    static final int FRAME_LIST = Mm.PAGE_SIZE / Long.BYTES;
    /** A second of the balloon thread's timeouts, in the lab. */
    static final long LAB_SECOND_MS = 100;
    public static final int MAX_SCHEDULE_DELAY = 32;
    public static final int MAX_RETRY_COUNT = 4;
    static final String TARGET_KEY = "memory/target";
    static final String STATIC_MAX_KEY = "memory/static-max";

    /** enum bp_state. */
    public enum BpState { BP_DONE, BP_WAIT, BP_EAGAIN, BP_ECANCELED }

    final String name;
    final MemoryManager mm;
    private final Balloons balloons;
    private final MovablePages movablePages;
    final XenHypervisor hypervisor;
    final XenStore xenstore;
    BalloonDevInfo bDevInfo;
    private Thread thread;
    /**
     * balloon_mutex is this object's monitor, held across a pass of the thread and a backend's call (and the
     * allocations in them); the list and balloon_stats are guarded by counts, held only between mm calls, so
     * that mm:check and xen:devices read them while a pass runs. counts is also balloon_thread_wq.
     */
    private final Object counts = new Object();

    // guarded by counts
    private final Deque<Integer> balloonedPages = new ArrayDeque<>();
    private long currentPages;
    private long targetPages;
    private long totalPages;
    private long targetUnpopulated;
    /** The pages backends hold (the lab's backend: what xen:alloc took), the last taken last. */
    private final Deque<Integer> lentPages = new ArrayDeque<>();
    private long scheduleDelay = 1;
    private long retryCount = 1;
    private BpState state = BpState.BP_DONE;
    private long targetDiff;
    private boolean watchFired;
    private boolean stopping;
    /** Passes of the thread: what a waiter waits on. */
    private long passes;
    /** The thread sleeps in wait_event_freezable_timeout(): only a wake-up or its timeout starts a pass. */
    private boolean sleeping;

    XenBalloon(String name, MemoryManager mm, Balloons balloons, MovablePages movablePages, ModuleCaller calls) {
        this.name = name;
        this.mm = mm;
        this.balloons = balloons;
        this.movablePages = movablePages;
        this.hypervisor = new XenHypervisor(name, mm);
        this.xenstore = new XenStore(name, calls);
    }

    /**
     * balloon_init() and xen_balloon_init(): the stats from the guest's memory, the thread, the watch on
     * memory/target. The toolstack wrote static-max and a target for a balloon of initialPages first.
     */
    void balloonInit(long initialPages) {
        long physpages = mm.totalramPages();
        synchronized (counts) {
            currentPages = physpages;
            targetPages = physpages;
            totalPages = physpages;
        }
        bDevInfo = balloons.balloonDevinfoInit("xen-balloon " + name, null, false);
        mm.printk("xen:balloon: Initialising balloon driver");
        xenstore.write(STATIC_MAX_KEY, Long.toString(physpages << (Mm.PAGE_SHIFT - 10)));
        xenstore.write(TARGET_KEY, Long.toString((physpages - initialPages) << (Mm.PAGE_SHIFT - 10)));
        thread = new Thread(this::balloonThread, "xen-balloon " + name);
        thread.setDaemon(true);
        thread.start();
        xenstore.watch(TARGET_KEY, p -> watchTarget());
    }

    /** The lab's removal (the kernel's driver is built in): the thread stops; the hypervisor keeps its frames. */
    void stop() throws InterruptedException {
        xenstore.close();
        synchronized (counts) {
            stopping = true;
            counts.notifyAll();
        }
        thread.join();
        long n = ballooned();
        if (n != 0) {
            mm.printk("xen:balloon: " + n + " pages stay ballooned");
        } else if (lent() == 0) {
            balloons.balloonDevinfoRemove(bDevInfo);
        }
    }

    /** watch_target() (rule v). */
    private void watchTarget() {
        String value = xenstore.read(TARGET_KEY);
        long newTarget;
        try {
            newTarget = Long.parseLong(value) >> (Mm.PAGE_SHIFT - 10);
        } catch (NumberFormatException e) {
            return; // "This is ok (for domain0 at least) - so just return"
        }
        String max = xenstore.read(STATIC_MAX_KEY);
        synchronized (counts) {
            if (!watchFired) {
                watchFired = true;
                long staticMax = max == null ? currentPages : Long.parseLong(max) >> (Mm.PAGE_SHIFT - 10);
                targetDiff = staticMax - targetPages;
            }
            balloonSetNewTarget(newTarget - targetDiff);
        }
    }

    /** balloon_set_new_target(). */
    void balloonSetNewTarget(long target) {
        synchronized (counts) {
            targetPages = target;
            counts.notifyAll();
        }
    }

    // guarded by counts
    private long currentCredit() {
        return targetPages - currentPages;
    }

    /** balloon_thread_cond(); guarded by counts. */
    private boolean balloonThreadCond(long credit) {
        if (state == BpState.BP_DONE) {
            credit = 0;
        }
        return currentCredit() != credit || stopping;
    }

    /** balloon_thread() (rule iv). */
    private void balloonThread() {
        try {
            for (;;) {
                long credit;
                synchronized (counts) {
                    long timeout = switch (state) {
                        case BP_DONE, BP_ECANCELED -> 3600;
                        case BP_EAGAIN -> scheduleDelay;
                        case BP_WAIT -> 1;
                    };
                    credit = currentCredit();
                    long end = System.nanoTime() + timeout * LAB_SECOND_MS * 1_000_000;
                    if (!balloonThreadCond(credit)) {
                        sleeping = true;
                        counts.notifyAll();
                    }
                    while (!balloonThreadCond(credit) && System.nanoTime() < end) {
                        counts.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
                    }
                    sleeping = false;
                    if (stopping) {
                        return;
                    }
                }
                synchronized (this) {
                    pass();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One pass of balloon_thread() under balloon_mutex. */
    private void pass() {
        long credit;
        synchronized (counts) {
            credit = currentCredit();
        }
        BpState st = null;
        if (credit > 0) {
            st = balloonIsInflated() ? increaseReservation(credit) : reserveAdditionalMemory();
        }
        if (credit < 0) {
            long nPages = Math.min(-credit, mm.memAvailable());
            st = decreaseReservation(nPages, GFP_BALLOON);
            if (st == BpState.BP_DONE && nPages != -credit) {
                st = BpState.BP_EAGAIN;
            }
        }
        synchronized (counts) {
            if (st != null) {
                state = st;
            }
            updateSchedule();
            passes++;
            counts.notifyAll();
        }
    }

    /** update_schedule(); guarded by counts. */
    private void updateSchedule() {
        if (state == BpState.BP_WAIT || state == BpState.BP_ECANCELED) {
            return;
        }
        if (state == BpState.BP_DONE) {
            scheduleDelay = 1;
            retryCount = 1;
            return;
        }
        ++retryCount;
        if (retryCount > MAX_RETRY_COUNT) {
            scheduleDelay = 1;
            retryCount = 1;
            state = BpState.BP_ECANCELED;
            return;
        }
        scheduleDelay = Math.min(scheduleDelay << 1, MAX_SCHEDULE_DELAY);
        state = BpState.BP_EAGAIN;
    }

    /** reserve_additional_memory() without CONFIG_XEN_BALLOON_MEMORY_HOTPLUG (rule viii). */
    private BpState reserveAdditionalMemory() {
        synchronized (counts) {
            targetPages = currentPages + targetUnpopulated;
        }
        return BpState.BP_ECANCELED;
    }

    private boolean balloonIsInflated() {
        synchronized (counts) {
            return !balloonedPages.isEmpty();
        }
    }

    /** balloon_append() (rule i). */
    private void balloonAppend(int pfn) {
        balloons.balloonPageEnqueue(bDevInfo, pfn); // NR_BALLOON_PAGES
        if (mm.pageType(pfn) != PageType.OFFLINE) {
            movablePages.setPageOffline(pfn);
        }
        synchronized (counts) {
            balloonedPages.addFirst(pfn);
        }
    }

    /** balloon_retrieve() (rule i); x86_64 has no highmem, so require_lowmem changes nothing. */
    private int balloonRetrieve() {
        Integer pfn;
        synchronized (counts) {
            pfn = balloonedPages.pollFirst();
        }
        if (pfn == null) {
            return Mm.NO_PAGE;
        }
        balloons.balloonPageDelete(bDevInfo, pfn); // NR_BALLOON_PAGES
        movablePages.clearPageOffline(pfn);
        return pfn;
    }

    /** increase_reservation() (rule iii). */
    private BpState increaseReservation(long nrPages) {
        int[] frameList;
        synchronized (counts) {
            frameList = balloonedPages.stream().limit(Math.min(nrPages, FRAME_LIST)).mapToInt(Integer::intValue)
                    .toArray();
        }
        mm.preemptDisable(); // the frames, the list and the counts change together, to mm:check
        try {
            int rc = hypervisor.increaseReservation(frameList, frameList.length);
            if (rc <= 0) {
                return BpState.BP_EAGAIN;
            }
            for (int i = 0; i < rc; i++) {
                int pfn = balloonRetrieve();
                mm.adjustManagedPageCount(pfn, 1); // free_reserved_page()
                mm.freePages(pfn, 0);
            }
            synchronized (counts) {
                currentPages += rc;
            }
        } finally {
            mm.preemptEnable();
        }
        return BpState.BP_DONE;
    }

    /** decrease_reservation() (rule ii). */
    private BpState decreaseReservation(long nrPages, int gfp) {
        BpState st = BpState.BP_DONE;
        int n = (int) Math.min(nrPages, FRAME_LIST);
        int[] frameList = new int[n];
        for (int i = 0; i < n; i++) {
            int pfn = mm.allocPages(gfp, 0);
            if (pfn == Mm.NO_PAGE) {
                n = i;
                st = BpState.BP_EAGAIN;
                break;
            }
            mm.adjustManagedPageCount(pfn, -1);
            frameList[i] = pfn;
        }
        mm.preemptDisable();
        try {
            for (int i = 0; i < n; i++) {
                balloonAppend(frameList[i]);
            }
            int ret = hypervisor.decreaseReservation(frameList, n);
            if (ret != n) {
                throw new IllegalStateException("kernel BUG at drivers/xen/balloon.c: BUG_ON(ret != nr_pages)");
            }
            synchronized (counts) {
                currentPages -= n;
            }
        } finally {
            mm.preemptEnable();
        }
        return st;
    }

    /**
     * xen_alloc_ballooned_pages() (rule vi): n pages for a backend, the list's first; returns their PFNs.
     *
     * @throws IllegalStateException -ENOMEM, with every page taken given back
     */
    synchronized int[] allocBallooned(int n) {
        int[] pages = new int[n];
        int pgno = 0;
        synchronized (counts) {
            targetUnpopulated += n;
        }
        while (pgno < n) {
            mm.preemptDisable();
            try {
                int pfn = balloonRetrieve();
                if (pfn != Mm.NO_PAGE) {
                    pages[pgno++] = pfn;
                    synchronized (counts) {
                        lentPages.addLast(pfn);
                    }
                    continue;
                }
            } finally {
                mm.preemptEnable();
            }
            if (!addBalloonedPages(n - pgno)) {
                freeBallooned(pages, pgno);
                synchronized (counts) {
                    targetUnpopulated -= n - pgno;
                }
                throw new IllegalStateException(String.format("xen_alloc_ballooned_pages(%d): -ENOMEM (MemAvailable"
                        + " is %d pages)", n, mm.memAvailable()));
            }
        }
        return pages;
    }

    /** add_ballooned_pages() without hotplug: balloon n more pages with GFP_USER, if MemAvailable has them. */
    private boolean addBalloonedPages(int n) {
        if (mm.memAvailable() < n) {
            return false;
        }
        return decreaseReservation(n, Gfp.GFP_USER) == BpState.BP_DONE;
    }

    /** xen_free_ballooned_pages() (rule vi): the first n of pages go back on the list. */
    synchronized void freeBallooned(int[] pages, int n) {
        mm.preemptDisable();
        try {
            for (int i = 0; i < n; i++) {
                balloonAppend(pages[i]);
                synchronized (counts) {
                    lentPages.removeLastOccurrence(pages[i]);
                }
            }
        } finally {
            mm.preemptEnable();
        }
        synchronized (counts) {
            targetUnpopulated -= n;
            if (currentCredit() != 0) {
                counts.notifyAll(); // "The balloon may be too large now. Shrink it if needed."
            }
        }
    }

    /**
     * The backend gives back the last n pages it took (xen_free_ballooned_pages()).
     *
     * @throws IllegalArgumentException changing nothing, if the backends hold fewer
     */
    synchronized void freeLent(int n) {
        int[] pages;
        synchronized (counts) {
            if (lentPages.isEmpty()) {
                throw new IllegalArgumentException("the backends hold no pages: take some with xen:alloc first");
            }
            if (n <= 0 || n > lentPages.size()) {
                throw new IllegalArgumentException(String.format("%d pages: the backends hold %d (give 1 to %d)", n,
                        lentPages.size(), lentPages.size()));
            }
            pages = lentPages.stream().skip(lentPages.size() - n).mapToInt(Integer::intValue).toArray();
        }
        freeBallooned(pages, n);
    }

    /**
     * Waits until the thread made a pass after {@code lastPasses}, or the balloon is size pages with
     * target_pages asking for that, at most timeoutMs; returns the stats then.
     */
    public Stats awaitPass(long size, long lastPasses, long timeoutMs) throws InterruptedException {
        synchronized (counts) {
            long end = System.nanoTime() + timeoutMs * 1_000_000;
            while (passes == lastPasses && !(totalPages - targetPages == size && currentCredit() == 0)
                    && System.nanoTime() < end) {
                counts.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
            }
            return stats();
        }
    }

    /** Waits until the xenstore's watch events queued so far (the one of the watch's registration) have run. */
    void awaitWatches() throws InterruptedException {
        xenstore.sync();
    }

    /**
     * Waits until the thread sleeps (its condition false: nothing to do until a wake-up), at most timeoutMs;
     * returns whether it does. What a test waits for before a backend's call, which wakes no thread.
     */
    public boolean awaitSleeping(long timeoutMs) throws InterruptedException {
        synchronized (counts) {
            long end = System.nanoTime() + timeoutMs * 1_000_000;
            while (!sleeping && System.nanoTime() < end) {
                counts.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
            }
            return sleeping;
        }
    }

    /** One moment of balloon_stats and the driver's state. */
    public record Stats(long currentPages, long targetPages, long totalPages, long targetUnpopulated, long balloonLow,
            long lent, BpState state, long scheduleDelay, long retryCount, long passes) {
        /** The balloon's size: pages the domain gave up (on the list and lent to backends). */
        public long size() {
            return totalPages - currentPages;
        }

        /** The balloon size target_pages asks for. */
        public long targetSize() {
            return totalPages - targetPages;
        }
    }

    public Stats stats() {
        synchronized (counts) {
            return new Stats(currentPages, targetPages, totalPages, targetUnpopulated, balloonedPages.size(),
                    lentPages.size(),
                    state, scheduleDelay, retryCount, passes);
        }
    }

    long ballooned() {
        synchronized (counts) {
            return balloonedPages.size();
        }
    }

    long lent() {
        synchronized (counts) {
            return lentPages.size();
        }
    }

    int[] balloonedPfns() {
        synchronized (counts) {
            return balloonedPages.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** The toolstack's xl mem-set: memory/target for a balloon of size pages. */
    void writeTarget(long size) {
        long total;
        synchronized (counts) {
            total = totalPages;
        }
        xenstore.write(TARGET_KEY, Long.toString((total - size) << (Mm.PAGE_SHIFT - 10)));
    }

    public XenHypervisor hypervisor() {
        return hypervisor;
    }

    /** memory/target as the xenstore holds it, KiB. */
    public String xenstoreTarget() {
        return xenstore.read(TARGET_KEY);
    }
}
