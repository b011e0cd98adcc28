package org.mmlab.aeration.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.mmlab.mm.Errno;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.hinting.HintingDevice;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.hinting.PageReportingHooks;
import org.mmlab.mm.hinting.Scatterlist;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;

/**
 * Models mm/page_reporting.c, mainline free page reporting (Alexander Duyck's v17 series, merged for
 * v5.7; the code as v6.18 has it), with include/linux/page_reporting.h: page_reporting_register() and
 * _unregister(), the REQUESTED/ACTIVE/IDLE states, __page_reporting_notify() under RCU, the delayed work
 * page_reporting_process() with page_reporting_process_zone(), page_reporting_cycle() and
 * page_reporting_drain(), and page_reporting_order. The allocator's half (__isolate_free_page(),
 * __putback_isolated_page(), PageReported, the notify from __free_one_page()) is mm-core's.
 *
 * <p>Rules, as the source has them:
 * <ol type="i">
 * <li>One device, system-wide: a second page_reporting_register() is -EBUSY (page_reporting_mutex).</li>
 * <li>pr_dev_info is RCU-protected: the notify dereferences it under rcu_read_lock();
 *     page_reporting_unregister() clears it, synchronize_rcu(), then cancel_delayed_work_sync(), so no
 *     notify and no pass uses the device once it returns.</li>
 * <li>A pass holds zone-&gt;lock while it takes pages off a free list (__isolate_free_page()) and while it
 *     puts them back, and drops it around report(); the pages it reports are off the free lists for
 *     the duration, so nobody allocates them. Variant {@code no-isolate} reports pages it leaves on the
 *     free list (race 11).</li>
 * <li>Each list gets DIV_ROUND_UP(nr_free, PAGE_REPORTING_CAPACITY * 16) reports a pass; a list that
 *     needs more sets REQUESTED, and the pass is rescheduled 2 s later: "all pages on an idle system in
 *     about 30 seconds". Reported pages are skipped, and the first unreported page is rotated to the
 *     list's head before the lock is dropped.</li>
 * </ol>
 */
final class PageReporting implements HintingDesign, PageReportingHooks {
    static final String NAME = "reporting";
    static final String V57 = "v5.7";
    static final String NO_ISOLATE = "no-isolate";
    static final int PAGE_REPORTING_IDLE = 0;
    static final int PAGE_REPORTING_REQUESTED = 1;
    static final int PAGE_REPORTING_ACTIVE = 2;
    /** PAGE_REPORTING_DELAY: 2 * HZ. */
    static final long PAGE_REPORTING_DELAY_MS = 2000;
    static final int CAPACITY = PageAllocHinting.PAGE_REPORTING_CAPACITY;
    private static final String[] STATES = {"IDLE", "REQUESTED", "ACTIVE"};

    /** struct page_reporting_dev_info: the device's report() and order, the state and work register() sets up. */
    static final class Prdev {
        final HintingDevice device;
        final AtomicInteger state = new AtomicInteger(PAGE_REPORTING_IDLE);
        DelayedWork work;

        Prdev(HintingDevice device) {
            this.device = device;
        }
    }

    private final Kernel k;
    private final PageAllocHinting core;
    private final String variant;
    private final boolean autoRun;
    /** page_reporting_order: -1 ("an unsupported value") until set or resolved at registration. */
    private volatile int pageReportingOrder;
    /** static struct page_reporting_dev_info __rcu *pr_dev_info. */
    private volatile Prdev prDevInfo;
    private final Rcu rcu = new Rcu();
    private final ReentrantLock pageReportingMutex = new ReentrantLock();
    /** DEFINE_STATIC_KEY_FALSE(page_reporting_enabled): enabled at the first registration, never disabled. */
    private boolean enabled;
    /** Pages a pass has off the free lists (in its scatterlist) now. */
    private final AtomicLong inFlight = new AtomicLong();
    /** Passes running now: a pass goes on after unregister() cleared pr_dev_info, until its cancel returns. */
    private final AtomicInteger passes = new AtomicInteger();

    PageReporting(Kernel k, String variant, int order, boolean autoRun) {
        this.k = k;
        this.core = k.core();
        this.variant = variant;
        this.pageReportingOrder = order;
        this.autoRun = autoRun;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String variant() {
        return variant;
    }

    /** Nothing until a device registers: the static key is off. */
    @Override
    public void start() {
    }

    /** The lab's design switch (the kernel's key is never disabled): no notify reaches this any more. */
    @Override
    public void stop() {
        core.pageReportingDisable(this);
    }

    // ================================================================ registration

    /** page_reporting_register() (rule i). */
    @Override
    public int register(HintingDevice device) {
        pageReportingMutex.lock();
        try {
            if (prDevInfo != null) {
                return -Errno.EBUSY;
            }
            // the module parameter if set, else the driver's order if valid, else pageblock_order
            if (pageReportingOrder == -1) {
                int o = device.order();
                pageReportingOrder = o > 0 && o <= Mm.MAX_PAGE_ORDER ? o : Mm.PAGEBLOCK_ORDER;
            }
            Prdev p = new Prdev(device);
            p.work = new DelayedWork("page_reporting", () -> pageReportingProcess(p), autoRun);
            pageReportingRequest(p); // begin initial flush of zones
            prDevInfo = p; // rcu_assign_pointer()
            if (!enabled) {
                core.pageReportingEnable(this, pageReportingOrder);
                enabled = true;
                k.mm().printk("Free page reporting enabled");
            }
            return 0;
        } finally {
            pageReportingMutex.unlock();
        }
    }

    /** page_reporting_unregister() (rule ii). */
    @Override
    public void unregister(HintingDevice device) {
        pageReportingMutex.lock();
        try {
            Prdev p = prDevInfo;
            if (p != null && p.device == device) {
                prDevInfo = null; // RCU_INIT_POINTER(pr_dev_info, NULL)
                rcu.synchronizeRcu();
                p.work.destroy(); // cancel_delayed_work_sync(&prdev->work); the struct goes with the driver
            }
        } finally {
            pageReportingMutex.unlock();
        }
    }

    // ================================================================ notify and request

    /** __page_reporting_notify(): under RCU, "in the unlikely case of a shutdown this will be NULL". */
    @Override
    public void pageReportingNotify() {
        int idx = rcu.readLock();
        try {
            Prdev p = prDevInfo;
            if (p != null) {
                pageReportingRequest(p);
            }
        } finally {
            rcu.readUnlock(idx);
        }
    }

    /** __page_reporting_request(): IDLE to REQUESTED schedules the work 2 s later; otherwise nothing. */
    private void pageReportingRequest(Prdev p) {
        if (p.state.get() == PAGE_REPORTING_REQUESTED) {
            return;
        }
        if (p.state.getAndSet(PAGE_REPORTING_REQUESTED) != PAGE_REPORTING_IDLE) {
            return;
        }
        p.work.schedule(PAGE_REPORTING_DELAY_MS);
    }

    // ================================================================ the work

    /** page_reporting_process(): ACTIVE, every zone, then IDLE unless someone asked again meanwhile. */
    private void pageReportingProcess(Prdev p) {
        passes.incrementAndGet();
        try {
            p.state.set(PAGE_REPORTING_ACTIVE);
            Scatterlist sgl = new Scatterlist(CAPACITY); // kmalloc_array() + sg_init_table()
            for (int zone = 0; zone < core.nrZones(); zone++) {
                if (pageReportingProcessZone(p, sgl, zone) != 0) {
                    break;
                }
            }
        } finally {
            passes.decrementAndGet();
        }
        k.stats().passes.increment();
        if (p.state.compareAndExchange(PAGE_REPORTING_ACTIVE, PAGE_REPORTING_IDLE) == PAGE_REPORTING_REQUESTED) {
            p.work.schedule(PAGE_REPORTING_DELAY_MS);
        }
    }

    /** page_reporting_process_zone(): if the zone has memory to spare, each list from page_reporting_order up. */
    private int pageReportingProcessZone(Prdev p, Scatterlist sgl, int zone) {
        int order0 = pageReportingOrder;
        int[] offset = {CAPACITY};
        long watermark = core.lowWmarkPages(zone) + ((long) CAPACITY << order0);
        if (!core.zoneWatermarkOk(zone, 0, watermark)) {
            return 0;
        }
        for (int order = order0; order <= Mm.MAX_PAGE_ORDER; order++) {
            for (int mt = 0; mt < MigrateType.values().length; mt++) {
                if (mt == MigrateType.ISOLATE.ordinal()) {
                    continue; // we do not pull pages from the isolate free list
                }
                int err = pageReportingCycle(p, zone, order, mt, sgl, offset);
                if (err != 0) {
                    return err;
                }
            }
        }
        int leftover = CAPACITY - offset[0];
        if (leftover == 0) {
            return 0;
        }
        // report the leftover pages before going idle
        k.lab().injectionPoint(InjectionPoints.REPORTING_REPORT, -1);
        int err = report(p, sgl, offset[0], leftover);
        long t = k.stats().lock(core, zone);
        try {
            k.lab().injectionPoint(InjectionPoints.REPORTING_DRAIN, -1);
            pageReportingDrain(sgl, offset[0], leftover, err == 0);
        } finally {
            k.stats().unlock(core, zone, t);
        }
        return err;
    }

    /** page_reporting_cycle(): "fill, report, drain, and idle" over one free list (rules iii, iv). */
    private int pageReportingCycle(Prdev p, int zone, int order, int mt, Scatterlist sgl, int[] offset) {
        boolean isolate = !NO_ISOLATE.equals(variant);
        int list = core.freeList(zone, order, mt);
        if (core.listNext(list) == list) {
            return 0; // list_empty(): nothing to process
        }
        int err = 0;
        long t = k.stats().lock(core, zone);
        boolean locked = true;
        try {
            long budget = (core.nrFree(zone, order) + CAPACITY * 16 - 1) / (CAPACITY * 16);
            int page = core.listNext(list);
            int next = core.listNext(page);
            for (; page != list; page = next, next = core.listNext(next)) {
                if (core.pageReported(page)) {
                    continue; // we are going to skip over the reported pages
                }
                if (budget < 0) {
                    p.state.set(PAGE_REPORTING_REQUESTED);
                    next = page;
                    break;
                }
                if (offset[0] > 0) {
                    if (isolate) {
                        if (core.isolateFreePage(page, order) == 0) {
                            next = page;
                            break;
                        }
                        inFlight.addAndGet(1L << order);
                    }
                    sgl.setPage(--offset[0], page, order);
                    continue;
                }
                // the first non-reported page is the list's new head before the lock is dropped
                if (isolate && core.listNext(list) != page) {
                    core.listRotateToFront(page, list);
                }
                k.stats().unlock(core, zone, t);
                locked = false;
                k.lab().injectionPoint(InjectionPoints.REPORTING_REPORT, page);
                err = report(p, sgl, 0, CAPACITY);
                offset[0] = CAPACITY;
                budget--;
                t = k.stats().lock(core, zone);
                locked = true;
                k.lab().injectionPoint(InjectionPoints.REPORTING_DRAIN, -1);
                pageReportingDrain(sgl, 0, CAPACITY, err == 0);
                next = core.listNext(list); // the old next is not valid since we dropped the lock
                if (err != 0) {
                    break;
                }
            }
            // rotate any leftover pages to the head of the freelist
            if (isolate && next != list && core.listNext(list) != next) {
                core.listRotateToFront(next, list);
            }
        } finally {
            if (locked) {
                k.stats().unlock(core, zone, t);
            }
        }
        return err;
    }

    /** prdev->report(prdev, sgl, nents), through the use-after-unload checker; counted when the host took it. */
    private int report(Prdev p, Scatterlist sgl, int offset, int nents) {
        long pages = 0;
        for (int i = offset; i < offset + nents; i++) {
            pages += 1L << sgl.order(i);
        }
        int err;
        try (ModuleCall c = k.lab().callIntoModule(p.device, InjectionPoints.CALL_PRDEV_REPORT, -1)) {
            err = p.device.report(sgl, offset, nents);
        }
        k.stats().hinted(err == 0 ? pages : 0);
        return err;
    }

    /**
     * page_reporting_drain(): each page back to its free list's tail (__putback_isolated_page()); if the
     * report succeeded and the page did not merge, it is PageReported. Variant no-isolate never took the
     * pages off their lists: it only marks them.
     */
    private void pageReportingDrain(Scatterlist sgl, int from, int nents, boolean reported) {
        boolean isolate = !NO_ISOLATE.equals(variant);
        for (int i = from; i < from + nents; i++) {
            int page = sgl.pfn(i);
            int order = sgl.order(i);
            if (isolate) {
                core.putbackIsolatedPage(page, order, core.pageblockMigratetype(page));
                inFlight.addAndGet(-(1L << order));
            }
            if (reported && core.pageBuddy(page) && core.buddyOrder(page) == order) {
                core.setPageReported(page);
            }
        }
        sgl.init(from, nents);
    }

    // ================================================================ what the lab reads

    @Override
    public boolean runPendingWork() {
        Prdev p = prDevInfo;
        return p != null && p.work.runIfPending();
    }

    @Override
    public String state() {
        Prdev p = prDevInfo;
        if (p == null) {
            return "no device (pr_dev_info NULL)";
        }
        return STATES[p.state.get()] + ", work " + (p.work.runningNow() ? "running"
                : p.work.pending() ? "pending" : "idle");
    }

    @Override
    public int order() {
        return pageReportingOrder;
    }

    /** The module parameter page_reporting_order (0644): param_set_uint_minmax(0, MAX_PAGE_ORDER). */
    @Override
    public void setOrder(int order) {
        if (order < 0 || order > Mm.MAX_PAGE_ORDER) {
            throw new IllegalArgumentException("page_reporting_order " + order + ": must be 0.." + Mm.MAX_PAGE_ORDER);
        }
        pageReportingOrder = order;
        if (enabled) {
            core.setPageReportingOrder(order);
        }
    }

    @Override
    public long pagesInFlight() {
        return inFlight.get();
    }

    @Override
    public void setAutoRun(boolean on) {
        Prdev p = prDevInfo;
        if (p != null) {
            p.work.setAutoRun(on);
        }
    }

    @Override
    public void zoneLines(Consumer<String> out) {
        int from = Math.max(0, pageReportingOrder);
        for (int z = 0; z < core.nrZones(); z++) {
            StringBuilder sb = new StringBuilder("zone " + core.zoneName(z) + ":");
            long t = k.stats().lock(core, z);
            try {
                for (int o = from; o <= Mm.MAX_PAGE_ORDER; o++) {
                    long reported = 0;
                    for (int mt = 0; mt < MigrateType.values().length; mt++) {
                        int head = core.freeList(z, o, mt);
                        for (int id = core.listNext(head); id != head; id = core.listNext(id)) {
                            reported += core.pageReported(id) ? 1 : 0;
                        }
                    }
                    sb.append(String.format(" order %d: %d free, %d reported;", o, core.nrFree(z, o), reported));
                }
            } finally {
                k.stats().unlock(core, z, t);
            }
            out.accept(sb.substring(0, sb.length() - 1));
        }
    }

    /** With the machine stopped: pages off the free lists belong to a pass that runs (a report in flight). */
    @Override
    public void check(Consumer<String> summary, Consumer<String> problems) {
        Prdev p = prDevInfo;
        long pages = inFlight.get();
        summary.accept(String.format("page reporting (%s): %s, page_reporting_order %d, %d pages in a report in flight",
                variant, p == null ? "no device" : p.device.name() + ", " + state(), pageReportingOrder, pages));
        if (pages > 0 && passes.get() == 0) {
            problems.accept(pages + " pages are off the free lists for a report, but no pass is running to put them back");
        }
    }
}
