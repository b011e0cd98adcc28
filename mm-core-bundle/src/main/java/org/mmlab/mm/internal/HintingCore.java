package org.mmlab.mm.internal;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.hinting.AeratorHooks;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.hinting.PageReportingHooks;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;

/**
 * Models the free path's free page hinting hooks and the functions of mm/page_alloc.c a hinting design
 * calls: mm/page_reporting.h's page_reporting_notify_free() and __isolate_free_page() /
 * __putback_isolated_page() (v5.7, as v6.18 has them), and the 2019 aerator's
 * include/linux/memory_aeration.h (aerator_notify_free(), aerator_get_tail(), set_page_aerated(),
 * clear_page_aerated()) with get_aeration_page() / put_aeration_page() ([PATCH v1 4/6-5/6]). The designs
 * (mm/page_reporting.c, mm/aeration.c) are aeration-bundle's: every call into them goes through the
 * use-after-unload checker. Also the lab's record of pages off the free lists for hinting, and its
 * data-loss oracle for a host discarding reported pages.
 */
public final class HintingCore implements PageAllocHinting {
    private final GuestMemory g;
    private final MemMap map;
    private final Zone[] zones;
    private final Supplier<ModuleCalls> modules;
    /** static_branch_unlikely(&page_reporting_enabled) with the design's notify: null while the key is off. */
    private volatile PageReportingHooks reporting;
    /** page_reporting_order: unset (-1, i.e. UINT_MAX) until a device registers. */
    private volatile int pageReportingOrder = Integer.MAX_VALUE;
    /** mm/aeration.c, when the aerator is the design. */
    private volatile AeratorHooks aerator;
    /** aerator_notify_enabled: a static key's count (static_key_slow_inc/dec). */
    private final AtomicInteger aeratorNotifyKey = new AtomicInteger();
    /** Calls into a design's hooks in flight: removing hooks waits until none is. */
    private final AtomicInteger inflight = new AtomicInteger();
    /** The pages a design has off the free lists (rule ii of PageAllocHinting). */
    private final AtomicBitmap hinted;
    private final AtomicLong hintedPages = new AtomicLong();
    /** Frames a host discarded while the guest used them: the oracle's count. */
    private final AtomicLong discardedInUse = new AtomicLong();

    HintingCore(GuestMemory g, Supplier<ModuleCalls> modules) {
        this.g = g;
        this.map = g.map;
        this.zones = g.zones;
        this.modules = modules;
        this.hinted = new AtomicBitmap(map.nrPages);
    }

    // ------------------------------------------------------------------ the free path (zone->lock held)

    /**
     * The end of __free_one_page() for a block now on its list: set_page_aerated() if put_aeration_page()
     * brought it back unmerged, else aerator_notify_free() ([PATCH v1 4/6]); page_reporting_notify_free()
     * unless FPI_SKIP_REPORT_NOTIFY (v5.7).
     */
    void freed(int pfn, Zone z, int order, int mt, int fpi, boolean merged) {
        if ((fpi & PageAlloc.FPI_AERATED) != 0 && !merged) {
            setPageAerated(pfn, z, order, mt);
        } else if ((fpi & PageAlloc.FPI_SKIP_REPORT_NOTIFY) == 0) {
            aeratorNotifyFree(z, order);
        }
        if ((fpi & PageAlloc.FPI_SKIP_REPORT_NOTIFY) == 0) {
            pageReportingNotifyFree(order);
        }
    }

    /** page_reporting_notify_free() (mm/page_reporting.h, v5.7): "Called from hot path in __free_one_page()". */
    private void pageReportingNotifyFree(int order) {
        if (reporting == null || order < pageReportingOrder) {
            return;
        }
        inflight.incrementAndGet();
        try {
            PageReportingHooks h = reporting;
            if (h != null) {
                try (ModuleCall c = modules.get().enter(h, InjectionPoints.CALL_PAGE_REPORTING_NOTIFY, -1)) {
                    h.pageReportingNotify();
                }
            }
        } finally {
            inflight.decrementAndGet();
        }
    }

    /**
     * aerator_notify_free() ([PATCH v1 5/6]): the static key, an order of at least AERATOR_MIN_ORDER, a
     * zone not already requested, and AERATOR_HWM raw pages of that order; then __aerator_notify(zone).
     */
    private void aeratorNotifyFree(Zone z, int order) {
        if (aeratorNotifyKey.get() == 0 || order < AERATOR_MIN_ORDER || testFlag(z, ZONE_AERATION_REQUESTED)
                || z.nrFree[order] - z.nrFreeAerated[order] < AERATOR_HWM) {
            return;
        }
        inflight.incrementAndGet();
        try {
            AeratorHooks h = aerator;
            if (h != null) {
                try (ModuleCall c = modules.get().enter(h, InjectionPoints.CALL_AERATOR_NOTIFY, -1)) {
                    h.aeratorNotify(z.idx);
                }
            }
        } finally {
            inflight.decrementAndGet();
        }
    }

    /**
     * aerator_get_tail() ([PATCH v1 5/6]): where a tail insertion goes. While the zone is
     * ZONE_AERATION_ACTIVE, at orders from AERATOR_MIN_ORDER, the boundary, so that aerated pages stay
     * one block at the list's tail; otherwise the list head.
     */
    int aeratorGetTail(Zone z, int order, int mt) {
        int head = z.freeList[order][mt];
        if (order < AERATOR_MIN_ORDER || !testFlag(z, ZONE_AERATION_ACTIVE)) {
            return head;
        }
        inflight.incrementAndGet();
        try {
            AeratorHooks h = aerator;
            if (h == null) {
                return head;
            }
            try (ModuleCall c = modules.get().enter(h, InjectionPoints.CALL_AERATOR_GET_TAIL, -1)) {
                return h.aeratorGetTail(z.idx, order, mt);
            }
        } finally {
            inflight.decrementAndGet();
        }
    }

    /** set_page_aerated() ([PATCH v1 5/6]): counted, marked, and the new boundary. */
    private void setPageAerated(int pfn, Zone z, int order, int mt) {
        z.nrFreeAerated[order]++;
        map.index[pfn] = mt; // set_pcppage_migratetype()
        map.setPageAerated(pfn, true);
        inflight.incrementAndGet();
        try {
            AeratorHooks h = aerator;
            if (h != null) {
                try (ModuleCall c = modules.get().enter(h, InjectionPoints.CALL_AERATOR_ADD_TO_BOUNDARY, pfn)) {
                    h.aeratorAddToBoundary(pfn, z.idx, order, mt);
                }
            }
        } finally {
            inflight.decrementAndGet();
        }
    }

    /**
     * clear_page_aerated() ([PATCH v1 4/6-5/6]), from del_page_from_free_area() and move_to_free_area(),
     * before list_del(): "push boundary back if we removed the upper boundary", then unmark and uncount.
     */
    void clearPageAerated(int pfn, Zone z, int order, int mt) {
        if (!map.pageAerated(pfn)) {
            return;
        }
        if (testFlag(z, ZONE_AERATION_ACTIVE)) {
            inflight.incrementAndGet();
            try {
                AeratorHooks h = aerator;
                if (h != null) {
                    try (ModuleCall c = modules.get().enter(h, InjectionPoints.CALL_AERATOR_DEL_FROM_BOUNDARY, pfn)) {
                        h.aeratorDelFromBoundary(pfn, z.idx, order, mt);
                    }
                }
            } finally {
                inflight.decrementAndGet();
            }
        }
        map.setPageAerated(pfn, false);
        z.nrFreeAerated[order]--;
    }

    // ------------------------------------------------------------------ what a design calls

    @Override
    public int nrZones() {
        return zones.length;
    }

    @Override
    public String zoneName(int zone) {
        return zone(zone).name;
    }

    @Override
    public int zoneOf(int pfn) {
        g.checkPfn(pfn);
        return g.alloc.zoneOf(pfn).idx;
    }

    @Override
    public void spinLock(int zone) {
        Zone z = zone(zone);
        g.stopMachine.enter();
        z.lock.lock();
    }

    @Override
    public void spinUnlock(int zone) {
        Zone z = zone(zone);
        z.lock.unlock();
        g.stopMachine.exit();
    }

    @Override
    public boolean testZoneFlag(int zone, int flag) {
        return testFlag(zone(zone), flag);
    }

    @Override
    public void setZoneFlag(int zone, int flag) {
        zone(zone).flags.getAndUpdate(f -> f | 1 << checkFlag(flag));
    }

    @Override
    public void clearZoneFlag(int zone, int flag) {
        zone(zone).flags.getAndUpdate(f -> f & ~(1 << checkFlag(flag)));
    }

    @Override
    public long lowWmarkPages(int zone) {
        return zone(zone).watermark[Zone.WMARK_LOW];
    }

    @Override
    public boolean zoneWatermarkOk(int zone, int order, long mark) {
        Zone z = zone(zone);
        return PageAllocWatermarks.zoneWatermarkOk(z, order, mark, 0, 0, z.freePages);
    }

    @Override
    public long nrFree(int zone, int order) {
        return zone(zone).nrFree[checkOrder(order)];
    }

    @Override
    public long nrFreeAerated(int zone, int order) {
        return zone(zone).nrFreeAerated[checkOrder(order)];
    }

    @Override
    public int freeList(int zone, int order, int migratetype) {
        return zone(zone).freeList[checkOrder(order)][checkMt(migratetype)];
    }

    @Override
    public int listNext(int id) {
        return g.lists.next(id);
    }

    @Override
    public void listAddTail(int pfn, int head) {
        checkHinted(pfn, "list_add_tail");
        if (!g.lists.addTail(pfn, head)) {
            throw new IllegalStateException(String.format("list_add_tail: corrupt list at pfn %#x", pfn));
        }
    }

    @Override
    public void listRotateToFront(int pfn, int head) {
        Zone z = lockedZoneOf(pfn, "list_rotate_to_front");
        if (!g.lists.moveTail(head, pfn)) { // list_move_tail(head, &page->lru)
            throw new IllegalStateException(String.format("list_rotate_to_front: corrupt list at pfn %#x in %s", pfn,
                    z.name));
        }
    }

    @Override
    public boolean pageBuddy(int pfn) {
        g.checkPfn(pfn);
        return map.hasType(pfn, org.mmlab.mm.PageType.BUDDY);
    }

    @Override
    public int buddyOrder(int pfn) {
        g.checkPfn(pfn);
        return map.pagePrivate[pfn];
    }

    @Override
    public int pagePrivate(int pfn) {
        g.checkPfn(pfn);
        return map.pagePrivate[pfn];
    }

    @Override
    public int pageblockMigratetype(int pfn) {
        g.checkPfn(pfn);
        return map.pageblockMigratetype(pfn).ordinal();
    }

    @Override
    public boolean pageReported(int pfn) {
        g.checkPfn(pfn);
        return g.alloc.pageReported(pfn);
    }

    @Override
    public void setPageReported(int pfn) {
        lockedZoneOf(pfn, "__SetPageReported");
        g.alloc.setPageReported(pfn);
    }

    @Override
    public boolean pageAerated(int pfn) {
        g.checkPfn(pfn);
        return map.pageAerated(pfn);
    }

    @Override
    public int isolateFreePage(int pfn, int order) {
        lockedZoneOf(pfn, "__isolate_free_page");
        checkFreeBlock(pfn, order, "__isolate_free_page");
        int taken = g.alloc.isolateFreePage(pfn, order);
        if (taken != 0) {
            markHinted(pfn, order, true);
        }
        return taken;
    }

    @Override
    public void putbackIsolatedPage(int pfn, int order, int migratetype) {
        Zone z = lockedZoneOf(pfn, "__putback_isolated_page");
        checkHinted(pfn, "__putback_isolated_page");
        markHinted(pfn, order, false);
        g.alloc.freeOnePage(pfn, z, order, checkMt(migratetype),
                PageAlloc.FPI_SKIP_REPORT_NOTIFY | PageAlloc.FPI_TO_TAIL);
    }

    /** get_aeration_page() ([PATCH v1 4/6]), as posted: from the boundary backwards, the first raw page. */
    @Override
    public int getAerationPage(int zone, int order, int migratetype) {
        Zone z = zone(zone);
        assertHeld(z, "get_aeration_page");
        int mt = checkMt(migratetype);
        int list = z.freeList[checkOrder(order)][mt];
        // page = list_last_entry(aerator_get_tail(zone, order, migratetype), struct page, lru)
        int page = g.lists.last(aeratorGetTail(z, order, mt));
        // list_for_each_entry_from_reverse(page, list, lru)
        if (page != list) {
            if (map.pageAerated(page)) {
                page = g.lists.first(list);
                if (map.pageAerated(page)) {
                    return Mm.NO_PAGE;
                }
            }
            g.alloc.delFromFreeList(page, z, order, mt);
            // record migratetype and order within page
            map.index[page] = mt;
            map.pagePrivate[page] = order;
            PageAlloc.accountFreepages(z, -(1L << order), mt);
            markHinted(page, order, true);
            return page;
        }
        return Mm.NO_PAGE;
    }

    /** put_aeration_page() ([PATCH v1 4/6]): back where it came from, as an aerated page unless it merges. */
    @Override
    public void putAerationPage(int zone, int pfn) {
        Zone z = zone(zone);
        assertHeld(z, "put_aeration_page");
        checkHinted(pfn, "put_aeration_page");
        int mt = map.index[pfn];
        if (mt == MigrateType.ISOLATE.ordinal() || map.pageblockMigratetype(pfn) == MigrateType.ISOLATE) {
            mt = map.pageblockMigratetype(pfn).ordinal();
        }
        int order = map.pagePrivate[pfn];
        map.pagePrivate[pfn] = 0;
        map.index[pfn] = 0;
        markHinted(pfn, order, false);
        g.alloc.freeOnePage(pfn, z, order, mt, PageAlloc.FPI_AERATED);
    }

    @Override
    public void pageReportingEnable(PageReportingHooks hooks, int order) {
        pageReportingOrder = checkOrder(order);
        reporting = hooks;
    }

    @Override
    public void setPageReportingOrder(int order) {
        pageReportingOrder = checkOrder(order);
    }

    @Override
    public void pageReportingDisable(PageReportingHooks hooks) {
        if (reporting == hooks) {
            reporting = null;
            awaitNoCallInFlight();
        }
    }

    @Override
    public void aeratorInstall(AeratorHooks hooks) {
        aerator = hooks;
    }

    @Override
    public void aeratorRemove(AeratorHooks hooks) {
        if (aerator == hooks) {
            aerator = null;
            awaitNoCallInFlight();
        }
    }

    @Override
    public void aeratorNotifyEnable(boolean on) {
        if (on) {
            aeratorNotifyKey.incrementAndGet();
        } else if (aeratorNotifyKey.getAndUpdate(k -> Math.max(0, k - 1)) == 0) {
            throw new IllegalStateException("static_key_slow_dec(&aerator_notify_enabled) below 0");
        }
    }

    @Override
    public void hostDiscardReportedFrame(int pfn, Hypervisor host) {
        g.checkPfn(pfn);
        Zone z = g.alloc.zoneOf(pfn);
        g.stopMachine.hostEnter();
        z.lock.lock(); // the oracle's view of the page, not QEMU's: it cannot see the guest's use
        try {
            if (!hinted.test(pfn) && PageUse.freeBlockHead(map, pfn) < 0) {
                discardedInUse.incrementAndGet();
                g.dmesg.warn(String.format("BUG: mmlab: data loss: %s discarded pfn %#x as a reported free page, but"
                        + " the guest uses it: %s%nCPU: 0 PID: 1 Comm: %s%n%s", host.name(), pfn, PageUse.describe(g, pfn),
                        MmDebug.comm(), MmDebug.javaTrace()), null);
            }
            g.hostFrames.discardReported(pfn, host);
        } finally {
            z.lock.unlock();
            g.stopMachine.hostExit();
        }
    }

    @Override
    public long reportedFramesHeld() {
        return g.hostFrames.reportedHeld();
    }

    @Override
    public long reportedFramesReturned() {
        return g.hostFrames.reportedReturned();
    }

    @Override
    public long hintedPages() {
        return hintedPages.get();
    }

    // ------------------------------------------------------------------ what mm:check reads

    /** The pages off the free lists for hinting (machine stopped). */
    BitSet hintedSnapshot() {
        return hinted.snapshot();
    }

    /** A design's hooks are installed. */
    boolean designInstalled() {
        return reporting != null || aerator != null;
    }

    /** Frames hosts discarded while the guest used them. */
    long discardedInUse() {
        return discardedInUse.get();
    }

    // ------------------------------------------------------------------ helpers

    private void markHinted(int pfn, int order, boolean on) {
        for (int p = pfn; p < pfn + (1 << order); p++) {
            if (on) {
                hinted.set(p);
            } else {
                hinted.clear(p);
            }
        }
        hintedPages.addAndGet(on ? 1L << order : -(1L << order));
    }

    private void checkHinted(int pfn, String fn) {
        if (!hinted.test(pfn)) {
            throw new IllegalStateException(String.format("%s: pfn %#x was not taken off the free lists for hinting",
                    fn, pfn));
        }
    }

    private void checkFreeBlock(int pfn, int order, String fn) {
        if (!map.hasType(pfn, org.mmlab.mm.PageType.BUDDY) || map.pagePrivate[pfn] != checkOrder(order)) {
            throw new IllegalStateException(String.format("%s: pfn %#x is not a free order-%d block", fn, pfn, order));
        }
    }

    private static boolean testFlag(Zone z, int flag) {
        return (z.flags.get() & 1 << flag) != 0;
    }

    private void awaitNoCallInFlight() {
        while (inflight.get() != 0) {
            Thread.onSpinWait();
        }
    }

    private Zone zone(int zone) {
        if (zone < 0 || zone >= zones.length) {
            throw new IllegalArgumentException("no zone " + zone + ": there are " + zones.length);
        }
        return zones[zone];
    }

    /** The page's zone, whose lock the caller must hold. */
    private Zone lockedZoneOf(int pfn, String fn) {
        g.checkPfn(pfn);
        Zone z = g.alloc.zoneOf(pfn);
        assertHeld(z, fn);
        return z;
    }

    /** lockdep_assert_held(&zone->lock): a WARN, and the call is refused (it would corrupt the lists). */
    private void assertHeld(Zone z, String fn) {
        if (!z.lock.isHeldByCurrentThread()) {
            g.debug.warn("lockdep_assert_held(&zone->lock) of zone " + z.name, "mm/page_alloc.c", fn);
            throw new IllegalStateException(fn + " without zone->lock of " + z.name);
        }
    }

    private static int checkOrder(int order) {
        if (order < 0 || order > Mm.MAX_PAGE_ORDER) {
            throw new IllegalArgumentException("order " + order + ": must be 0.." + Mm.MAX_PAGE_ORDER);
        }
        return order;
    }

    private static int checkMt(int mt) {
        if (mt < 0 || mt >= Zone.NR_MIGRATETYPES) {
            throw new IllegalArgumentException("migratetype " + mt + ": must be 0.." + (Zone.NR_MIGRATETYPES - 1));
        }
        return mt;
    }

    private static int checkFlag(int flag) {
        if (flag != ZONE_AERATION_REQUESTED && flag != ZONE_AERATION_ACTIVE) {
            throw new IllegalArgumentException("zone flag " + flag + ": ZONE_AERATION_REQUESTED or ZONE_AERATION_ACTIVE");
        }
        return flag;
    }
}
