package org.mmlab.aeration.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.mmlab.mm.Errno;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.hinting.AeratorHooks;
import org.mmlab.mm.hinting.HintingDevice;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;

/**
 * Models mm/aeration.c of Alexander Duyck's "[PATCH v1 5/6] mm: Add logic for separating "aerated" pages
 * from "raw" pages" (2019-06-19, seed 002), with include/linux/memory_aeration.h: the boundary pointers
 * per order and migratetype that keep aerated pages one block at each free list's tail, the
 * fill/react/drain/idle cycle on delayed work, aerator_startup() and aerator_shutdown(). The page
 * allocator's half (get/put_aeration_page(), PageAerated, aerator_get_tail()) is mm-core's.
 *
 * <p>Rules, as the patch has them:
 * <ol type="i">
 * <li>zone-&gt;lock is held while filling the batch and draining it, and dropped around react().</li>
 * <li>refcnt counts the zones REQUESTED plus one while aerator_cycle() runs; the work is scheduled only
 *     when it goes from 0 to 1, and the cycle ends by taking it from 1 to 0.</li>
 * <li>aerator_shutdown(): the static key off, then "while (atomic_read(&amp;a_dev_info-&gt;refcnt)) msleep(20)",
 *     WARN_ON(!list_empty(batch)), a_dev_info = NULL. The reviewer: "We generally frown on open-coded
 *     check/sleep loops". Variant {@code no-wait} drops the loop (race 10).</li>
 * <li>Only one zone is aerated at a time, so there is one set of boundaries; a boundary is the list head
 *     or the first aerated page of its list, and aerator_del_from_boundary() pushes it back when that page
 *     leaves. Variant {@code no-del} omits that (race 12).</li>
 * </ol>
 */
final class Aerator implements HintingDesign, AeratorHooks {
    static final String NAME = "aerator";
    static final String V1 = "v1";
    static final String NO_WAIT = "no-wait";
    static final String NO_DEL = "no-del";
    /** schedule_delayed_work(&aerator_work, HZ / 10): "no more than 10 times per second". */
    static final long AERATOR_DELAY_MS = 100;
    static final int MIN = PageAllocHinting.AERATOR_MIN_ORDER;
    private static final int NR_MT = MigrateType.values().length;

    /** struct aerator_dev_info: the device's react() and capacity, the batch and refcnt startup set up. */
    static final class DevInfo {
        final HintingDevice device;
        /** a_dev_info->batch: a list head of the device's struct, linked through page->lru. */
        final int batch;
        final long capacity;
        final AtomicInteger refcnt = new AtomicInteger();

        DevInfo(HintingDevice device, int batch) {
            this.device = device;
            this.batch = batch;
            this.capacity = Math.max(1, device.capacity());
        }
    }

    private final Kernel k;
    private final PageAllocHinting core;
    private final String variant;
    /** static struct aerator_dev_info *a_dev_info. */
    private volatile DevInfo aDevInfo;
    /** boundary[MAX_ORDER - AERATOR_MIN_ORDER][MIGRATE_TYPES]: list ids (a head, or an aerated page). */
    private final int[][] boundary = new int[Mm.MAX_PAGE_ORDER + 1 - MIN][NR_MT];
    /** static DECLARE_DELAYED_WORK(aerator_work, &aerator_cycle). */
    private final DelayedWork aeratorWork;
    /**
     * The cycle died (an oops or a BUG() killed the worker) holding refcnt: the kernel's shutdown would wait
     * forever; the lab's says so and goes on, so that a reboot can end the guest.
     */
    private volatile boolean cycleDied;
    /** Devices aerator_shutdown() let go of with pages still on their batch (variant no-wait): lost. */
    private final List<DevInfo> shutDownWithPages = new ArrayList<>();

    Aerator(Kernel k, String variant, boolean autoRun) {
        this.k = k;
        this.core = k.core();
        this.variant = variant;
        this.aeratorWork = new DelayedWork("aerator", this::aeratorCycleOrDie, autoRun);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String variant() {
        return variant;
    }

    @Override
    public void start() {
        core.aeratorInstall(this);
    }

    @Override
    public void stop() {
        aeratorWork.destroy();
        core.aeratorRemove(this);
    }

    // ================================================================ startup and shutdown

    /** aerator_startup(): -EBUSY for a second device; every populated zone is asked for, then the static key. */
    @Override
    public int register(HintingDevice device) {
        if (aDevInfo != null) {
            return -Errno.EBUSY;
        }
        aDevInfo = new DevInfo(device, k.mm().listHeadAlloc()); // INIT_LIST_HEAD(&sdev->batch); refcnt = 0
        aeratorScheduleInitialAeration();
        core.aeratorNotifyEnable(true); // static_key_slow_inc(&aerator_notify_enabled)
        return 0;
    }

    /** aerator_schedule_initial_aeration(): __aerator_notify() on each zone under its lock. */
    private void aeratorScheduleInitialAeration() {
        for (int z = 0; z < core.nrZones(); z++) {
            long t = k.stats().lock(core, z);
            try {
                aeratorNotify(z);
            } finally {
                k.stats().unlock(core, z, t);
            }
        }
    }

    /** aerator_shutdown() (rule iii). v1 takes no argument: it shuts down whichever device is registered. */
    @Override
    public void unregister(HintingDevice device) {
        DevInfo d = aDevInfo;
        if (d == null || d.device != device) {
            return;
        }
        core.aeratorNotifyEnable(false); // static_key_slow_dec(&aerator_notify_enabled)
        k.lab().injectionPoint(InjectionPoints.AERATOR_SHUTDOWN, -1);
        if (!NO_WAIT.equals(variant)) {
            aeratorWork.fireNow(); // with autoRun off the lab holds pending work back: the wait lets it run
            boolean interrupted = Thread.interrupted(); // msleep() is uninterruptible
            while (d.refcnt.get() != 0 && !cycleDied) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (cycleDied) {
                k.mm().printk("aerator_shutdown: refcnt " + d.refcnt.get() + " will never drop: aerator_cycle() died"
                        + " (the kernel would wait here forever)");
            }
        }
        if (!k.mm().listEmpty(d.batch)) {
            k.warn("WARN_ON(!list_empty(&a_dev_info->batch)): " + batchPages(d) + " pages in the batch of "
                    + device.name(), "mm/aeration.c", "aerator_shutdown");
            synchronized (shutDownWithPages) {
                shutDownWithPages.add(d); // the batch is a field of the device's struct, freed with it
            }
        } else {
            k.mm().listHeadFree(d.batch);
        }
        aDevInfo = null;
    }

    /** a_dev_info as the patch dereferences it: NULL once aerator_shutdown() ran is an oops. */
    private DevInfo aDevInfo(String function) {
        DevInfo d = aDevInfo;
        if (d == null) {
            throw k.oops(function, "a_dev_info is NULL: aerator_shutdown() ran");
        }
        return d;
    }

    // ================================================================ the hooks mm/page_alloc.c calls

    /**
     * __aerator_notify(zone), with zone->lock held: the zone is REQUESTED; the work is scheduled when refcnt
     * goes from 0, "to allow a sizable queue to build".
     */
    @Override
    public void aeratorNotify(int zone) {
        DevInfo d = aDevInfo("__aerator_notify");
        core.setZoneFlag(zone, PageAllocHinting.ZONE_AERATION_REQUESTED);
        if (d.refcnt.getAndIncrement() != 0) {
            return;
        }
        if (!k.mm().listEmpty(d.batch)) {
            k.warn("WARN_ON(!list_empty(&a_dev_info->batch))", "mm/aeration.c", "__aerator_notify");
        }
        aeratorWork.schedule(AERATOR_DELAY_MS);
    }

    /** __aerator_get_tail(order, migratetype). */
    @Override
    public int aeratorGetTail(int zone, int order, int mt) {
        return boundary[order - MIN][mt];
    }

    /** aerator_add_to_boundary(page, zone): the page put back is the new boundary. */
    @Override
    public void aeratorAddToBoundary(int pfn, int zone, int order, int mt) {
        boundary[order - MIN][mt] = pfn;
    }

    /** __aerator_del_from_boundary(page, zone): "if (*tail == &page->lru) *tail = page->lru.next". */
    @Override
    public void aeratorDelFromBoundary(int pfn, int zone, int order, int mt) {
        if (NO_DEL.equals(variant)) {
            return; // race 12: the boundary stays on a page that leaves the list
        }
        if (boundary[order - MIN][mt] == pfn) {
            boundary[order - MIN][mt] = core.listNext(pfn);
        }
    }

    // ================================================================ the cycle

    /** The work function: aerator_cycle(), and if a BUG() or an oops kills it, remembered for the shutdown. */
    private void aeratorCycleOrDie() {
        try {
            aeratorCycle();
        } catch (RuntimeException e) {
            cycleDied = true;
            throw e;
        }
    }

    /**
     * aerator_cycle(): fill, react, drain and idle. It holds one more reference than the zones requested,
     * and goes idle by taking refcnt from 1 to 0.
     */
    private void aeratorCycle() {
        aDevInfo("aerator_cycle").refcnt.incrementAndGet();
        int zone = 0;
        while (true) {
            aeratorScrubZone(zone);
            if (++zone < core.nrZones()) {
                continue;
            }
            zone = 0;
            AtomicInteger refcnt = aDevInfo("aerator_cycle").refcnt;
            if (refcnt.get() != 1) {
                continue;
            }
            if (refcnt.compareAndSet(1, 0)) {
                break;
            }
        }
        k.stats().passes.increment();
    }

    /** aerator_scrub_zone(): while the zone is REQUESTED, fill under zone->lock, react without it, drain under it. */
    private void aeratorScrubZone(int zone) {
        if (!core.testZoneFlag(zone, PageAllocHinting.ZONE_AERATION_REQUESTED)) {
            return;
        }
        long t = k.stats().lock(core, zone);
        boolean locked = true;
        try {
            do {
                aeratorFill(zone);
                DevInfo d = aDevInfo("aerator_scrub_zone");
                if (k.mm().listEmpty(d.batch)) {
                    break;
                }
                long pages = batchPages(d);
                k.stats().unlock(core, zone, t);
                locked = false;
                k.lab().injectionPoint(InjectionPoints.AERATOR_REACT, -1);
                try (ModuleCall c = k.lab().callIntoModule(d.device, InjectionPoints.CALL_A_DEV_INFO_REACT, -1)) {
                    d.device.react(d.batch);
                }
                k.stats().hinted(pages);
                t = k.stats().lock(core, zone);
                locked = true;
                k.lab().injectionPoint(InjectionPoints.AERATOR_DRAIN, -1);
                aeratorPopulateBoundaries(zone);
                aeratorDrain(zone);
            } while (core.testZoneFlag(zone, PageAllocHinting.ZONE_AERATION_REQUESTED));
            core.clearZoneFlag(zone, PageAllocHinting.ZONE_AERATION_ACTIVE);
        } finally {
            if (locked) {
                k.stats().unlock(core, zone, t);
            }
        }
    }

    /**
     * aerator_fill(): raw pages from the highest order down and each migratetype, until the batch holds
     * capacity pages; when the zone has none left, it is no longer REQUESTED and drops its reference.
     */
    private void aeratorFill(int zone) {
        DevInfo d = aDevInfo("aerator_fill");
        long budget = d.capacity;
        for (int order = Mm.MAX_PAGE_ORDER; order >= MIN; order--) {
            for (int mt = NR_MT - 1; mt >= 0; mt--) {
                int page;
                while ((page = core.getAerationPage(zone, order, mt)) != Mm.NO_PAGE) {
                    core.listAddTail(page, d.batch);
                    if (--budget == 0) {
                        return;
                    }
                }
            }
        }
        core.clearZoneFlag(zone, PageAllocHinting.ZONE_AERATION_REQUESTED);
        d.refcnt.decrementAndGet();
    }

    /** aerator_drain(): the now aerated pages back to their free lists, at the boundary. */
    private void aeratorDrain(int zone) {
        int batch = aDevInfo("aerator_drain").batch;
        while (!k.mm().listEmpty(batch)) {
            int page = core.listNext(batch);
            k.mm().listDel(page);
            core.putAerationPage(zone, page);
        }
    }

    /** aerator_populate_boundaries(): the boundaries start at the list heads; the zone is ACTIVE. */
    private void aeratorPopulateBoundaries(int zone) {
        if (core.testZoneFlag(zone, PageAllocHinting.ZONE_AERATION_ACTIVE)) {
            return;
        }
        for (int order = Mm.MAX_PAGE_ORDER; order >= MIN; order--) {
            for (int mt = NR_MT - 1; mt >= 0; mt--) {
                boundary[order - MIN][mt] = core.freeList(zone, order, mt); // aerator_reset_boundary()
            }
        }
        core.setZoneFlag(zone, PageAllocHinting.ZONE_AERATION_ACTIVE);
    }

    // ================================================================ what the lab reads

    @Override
    public boolean runPendingWork() {
        return aeratorWork.runIfPending();
    }

    @Override
    public String state() {
        DevInfo d = aDevInfo;
        return (d == null ? "no device (a_dev_info NULL)" : "refcnt " + d.refcnt.get()) + ", work "
                + (aeratorWork.runningNow() ? "running" : aeratorWork.pending() ? "pending" : "idle");
    }

    @Override
    public int order() {
        return MIN;
    }

    @Override
    public void setOrder(int order) {
        // AERATOR_MIN_ORDER is a constant of the patch
    }

    @Override
    public long pagesInFlight() {
        DevInfo d = aDevInfo;
        return d == null ? 0 : batchPages(d);
    }

    @Override
    public void setAutoRun(boolean on) {
        aeratorWork.setAutoRun(on);
    }

    @Override
    public void zoneLines(Consumer<String> out) {
        for (int z = 0; z < core.nrZones(); z++) {
            StringBuilder sb = new StringBuilder("zone " + core.zoneName(z) + ":");
            long t = k.stats().lock(core, z);
            try {
                sb.append(core.testZoneFlag(z, PageAllocHinting.ZONE_AERATION_REQUESTED) ? " REQUESTED" : "")
                        .append(core.testZoneFlag(z, PageAllocHinting.ZONE_AERATION_ACTIVE) ? " ACTIVE" : "");
                for (int o = MIN; o <= Mm.MAX_PAGE_ORDER; o++) {
                    sb.append(String.format(" order %d: %d free, %d aerated;", o, core.nrFree(z, o),
                            core.nrFreeAerated(z, o)));
                }
            } finally {
                k.stats().unlock(core, z, t);
            }
            out.accept(sb.substring(0, sb.length() - 1));
        }
    }

    /**
     * With the machine stopped: the batch holds what the design has off the free lists, and while a zone
     * is ACTIVE each boundary is its list's head or a page on that list from which every page to the tail
     * is aerated (the patch's point: aerated pages are one block at the tail).
     */
    @Override
    public void check(Consumer<String> summary, Consumer<String> problems) {
        DevInfo d = aDevInfo;
        long batch = d == null ? 0 : batchPages(d);
        summary.accept(String.format("aerator (%s): %s, batch %d pages", variant,
                d == null ? "no device" : d.device.name() + ", " + state(), batch));
        synchronized (shutDownWithPages) {
            for (DevInfo gone : shutDownWithPages) {
                problems.accept(String.format("%d pages are on the batch of %s, which aerator_shutdown() let go of:"
                        + " lost with the device", batchPages(gone), gone.device.name()));
            }
        }
        for (int z = 0; z < core.nrZones(); z++) {
            if (core.testZoneFlag(z, PageAllocHinting.ZONE_AERATION_ACTIVE)) {
                checkBoundaries(z, problems);
            }
        }
    }

    private void checkBoundaries(int zone, Consumer<String> problems) {
        for (int order = MIN; order <= Mm.MAX_PAGE_ORDER; order++) {
            for (int mt = 0; mt < NR_MT; mt++) {
                int head = core.freeList(zone, order, mt);
                int b = boundary[order - MIN][mt];
                String where = String.format("the boundary of %s order %d %s", core.zoneName(zone), order,
                        MigrateType.of(mt).kernelName());
                if (b == head) {
                    continue;
                }
                boolean onList = false;
                for (int id = core.listNext(head); id != head; id = core.listNext(id)) {
                    if (id == b) {
                        onList = true;
                    } else if (onList && !core.pageAerated(id)) {
                        problems.accept(String.format("%s is pfn %#x, but pfn %#x behind it is not aerated", where, b,
                                id));
                        break;
                    }
                }
                if (!onList) {
                    problems.accept(String.format("%s points at pfn %#x, which is not on that free list (%s)", where, b,
                            core.pageBuddy(b) ? "on another list" : "not free: allocated"));
                } else if (!core.pageAerated(b)) {
                    problems.accept(String.format("%s is pfn %#x, which is not aerated", where, b));
                }
            }
        }
    }

    /** The pages on a batch: each entry a block of 2^page_private() pages. */
    private long batchPages(DevInfo d) {
        long n = 0;
        for (int id = core.listNext(d.batch); id != d.batch; id = core.listNext(id)) {
            n += 1L << core.pagePrivate(id);
        }
        return n;
    }
}
