package org.mmlab.balloon.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonMigrate;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.MovablePages2012;
import org.mmlab.mm.MovablePages2016;
import org.mmlab.mm.MovablePages2025;
import org.mmlab.mm.NodeStat;
import org.mmlab.mm.PageType;
import org.mmlab.mm.VmEvent;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.mm.lab.ModuleCall;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * Models mm/balloon.c (and, under the older contracts, mm/balloon_compaction.c of v3.8 and v5.0): the
 * balloon pages of every device, enqueued, dequeued, isolated, put back and migrated. What differs per
 * kernel era (how a page is marked, which lock guards a list, who does a migration's bookkeeping) is
 * the {@link BalloonContract} chosen at boot; the lists, the counters and the module policies are here.
 * Every spinlock section is also a preempt_disable() section, so mm:check never sees a list half changed.
 */
final class BalloonCore {
    /** balloon_page_alloc()'s flags (CONFIG_BALLOON_MIGRATION). */
    static final int GFP_BALLOON = Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOMEMALLOC | Gfp.__GFP_NORETRY
            | Gfp.__GFP_NOWARN;

    final MemoryManager mm;
    final MmLab lab;
    /** balloon-api's own MovablePages: page->private, PageOffline, PG_movable_ops, balloon_mops. */
    final MovablePages own;
    /** The era's part, chosen once at boot. */
    final BalloonContract era;
    private final Map<Integer, BalloonDevice> devices = new ConcurrentSkipListMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    final BalloonMigration migration;
    /**
     * 2012 only, for the race lab: dequeue as v3.8 merged it, or as the leak path of the reviewed v7
     * virtio patch (seed 003) did, under pages_lock alone, even while another task (migration) holds
     * the page's lock. v3.8 (seed 000) skips such a page, and so closes the window of race 1.
     */
    volatile LeakPath leakPath = LeakPath.V3_8;

    BalloonCore(MemoryManager mm, MmLab lab, MovablePages own) {
        this.mm = mm;
        this.lab = lab;
        this.own = own;
        this.migration = new BalloonMigration(this);
        if (own instanceof MovablePages2012 v2012) {
            this.era = new Balloon2012(this, v2012);
        } else if (own instanceof MovablePages2016 v2016) {
            this.era = new Balloon2016(this, v2016);
        } else {
            this.era = new Balloon2025(this, (MovablePages2025) own);
        }
    }

    MigrationContract contract() {
        return era.contract();
    }

    /** The 2012 era, for what only its drivers may do (a driver's own balloon mapping, seed 003's v7). */
    Balloon2012 v2012(String what) {
        if (era instanceof Balloon2012 b) {
            return b;
        }
        throw new IllegalStateException(what + " belongs to the 2012 migration contract (the reviewed v7 virtio"
                + " patch), but this guest runs migrationContract=" + contract().value());
    }

    // ---------------------------------------------------------------- devices

    /** balloon_devinfo_init(), with the era's mapping made by the driver's MovablePages. */
    BalloonDevInfo balloonDevinfoInit(String name, BalloonMigrate migratepage, boolean adjustManagedPageCount,
            String bundle, long bundleId, MovablePages driverPages) {
        BalloonDevice b = newDevice(name, migratepage, adjustManagedPageCount, bundle, bundleId, driverPages);
        if (migratepage != null) {
            era.devinfoInit(b);
        }
        addDevice(b);
        return b;
    }

    BalloonDevice newDevice(String name, BalloonMigrate migratepage, boolean adjustManagedPageCount,
            String bundle, long bundleId, MovablePages driverPages) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("balloon_devinfo_init(): a device needs a name");
        }
        for (BalloonDevice d : devices.values()) {
            if (d.name().equals(name) && !d.orphaned) {
                throw new IllegalArgumentException("balloon_devinfo_init(): a device named '" + name + "' exists");
            }
        }
        return new BalloonDevice(nextId.getAndIncrement(), name, bundle, bundleId, migratepage,
                adjustManagedPageCount, mm.listHeadAlloc(), driverPages);
    }

    void addDevice(BalloonDevice b) {
        devices.put(b.id, b);
        b.listedIn = this;
    }

    /** The driver removes the device: only once it has no pages and none isolated. */
    void balloonDevinfoRemove(BalloonDevInfo info) {
        BalloonDevice b = device(info);
        lock(b);
        try {
            if (b.nrPages > 0 || b.isolatedPages > 0) {
                throw new IllegalStateException(String.format("%s still has %d pages and %d isolated pages:"
                        + " deflate it first", b.name(), b.nrPages, b.isolatedPages));
            }
            b.removed = true;
        } finally {
            unlock(b);
        }
        b.listedIn = null;
        devices.remove(b.id);
        era.devinfoRemove(b);
        mm.listHeadFree(b.pagesHead);
    }

    /**
     * The driver let go of the infrastructure (it stopped) without removing these devices: their pages
     * stay inflated and accounted (nothing gives them back any more), the devices stay for mm:check
     * and balloon:list, marked orphaned, and a new instance of the driver may use their names again.
     */
    void orphanDevices(long bundleId) {
        for (BalloonDevice b : devices.values()) {
            if (b.bundleId() == bundleId && !b.orphaned) {
                b.orphaned = true;
                mm.printk(String.format("balloon: %s of %s was not removed by its driver: orphaned with %d pages and"
                        + " %d isolated", b.name(), b.bundle, b.nrPages, b.isolatedPages));
            }
        }
    }

    List<BalloonDevInfo> devices() {
        return new ArrayList<>(devices.values());
    }

    List<BalloonDevice> deviceList() {
        return new ArrayList<>(devices.values());
    }

    BalloonDevice deviceById(int id) {
        return devices.get(id);
    }

    /** The device info names, if this core lists it: a field read, not a map lookup (it runs a page). */
    BalloonDevice device(BalloonDevInfo info) {
        if (!(info instanceof BalloonDevice b) || b.listedIn != this) {
            throw new IllegalArgumentException("not a balloon device of this guest: " + info);
        }
        return b;
    }

    // ---------------------------------------------------------------- migration bookkeeping

    /**
     * The bookkeeping of a migrated balloon page, under the device's lock: with the new page inflated,
     * it joins the balloon (the balloon's reference on it: get_page() since 2016; under 2012 the core
     * keeps its allocation reference for the balloon), isolated_pages--, BALLOON_MIGRATE, and the old
     * page leaves the balloon (2012, 2016: balloon_page_delete(); 2025: balloon_page_finalize()) and the
     * balloon's reference on it is dropped (2012: the core drops it). Without the new page (-ENOENT),
     * the old one is deflated instead (BALLOON_DEFLATE).
     */
    void accountMigration(BalloonDevice b, int newPfn, int pfn, boolean inflatedNew) {
        boolean refs = era.balloonTakesReference();
        if (inflatedNew && refs) {
            getPage(newPfn);
        }
        lock(b);
        try {
            if (inflatedNew) {
                balloonPageInsert(b, newPfn);
                mm.countVmEvent(VmEvent.BALLOON_MIGRATE);
            } else {
                balloonPageDeflated(b, pfn);
            }
            b.isolatedPages--;
            era.migratedAway(b, pfn);
        } finally {
            unlock(b);
        }
        if (inflatedNew && b.adjustManagedPageCount()) {
            // the kernel fixes both zones' counts only when they differ; within one zone this nets to zero
            mm.adjustManagedPageCount(pfn, 1);
            mm.adjustManagedPageCount(newPfn, -1);
        }
        if (refs) {
            putPage(pfn); // the balloon's reference to the old page
        }
    }

    /** Balloons.balloonPageMigrated(): the 2012 and 2016 drivers' own bookkeeping, inside their callback. */
    void balloonPageMigrated(BalloonDevInfo info, int newPfn, int pfn) {
        if (!era.driverAccountsMigration()) {
            throw new IllegalStateException("balloonPageMigrated(): under the 2025 contract the balloon core accounts"
                    + " a migration after the driver's migratepage returns; the driver only tells its host");
        }
        BalloonDevice b = device(info);
        accountMigration(b, newPfn, pfn, true);
        b.accountedByDriver.add(pfn);
        lab.injectionPoint(InjectionPoints.BALLOON_MIGRATED, pfn);
    }

    /**
     * Balloons.balloonPageDeflatedInMigration(): vmw_balloon's own deflation of the old page (v5.1 to
     * v6.18) when its host refused the new one. Migration holds the page on: it is no longer the device's.
     */
    void balloonPageDeflatedInMigration(BalloonDevInfo info, int pfn) {
        if (contract() == MigrationContract.BALLOON_2012) {
            throw new IllegalStateException("balloonPageDeflatedInMigration(): no driver of the 2012 contract deflated"
                    + " a page inside its migratepage (vmw_balloon's compaction support came with v5.1)");
        }
        BalloonDevice b = device(info);
        accountMigration(b, Mm.NO_PAGE, pfn, false);
        b.deflatedByDriver.add(pfn);
        migrated(b);
    }

    /**
     * After a 2012/2016 driver's migratepage returned 0: did it do the bookkeeping? If not, it is
     * reported (the era's drivers had to) and the caller does it.
     */
    boolean accountedByDriver(BalloonDevice b, int pfn) {
        if (!era.driverAccountsMigration()) {
            return false;
        }
        if (b.accountedByDriver.remove(pfn)) {
            return true;
        }
        for (BalloonDevice other : devices.values()) {
            if (other.accountedByDriver.remove(pfn)) {
                return true; // on another device (seed 003's vb_ptr): what the driver did stands, as in the kernel
            }
        }
        mm.printk(String.format("WARNING: CPU: 0 at mm/balloon_compaction.c: %s migrated pfn %#x without its"
                + " bookkeeping (balloon_page_insert/balloon_page_delete): done for it", b.name(), pfn));
        return false;
    }

    /** The migration of one of b's isolated pages is over (its page is no longer isolated). */
    void migrated(BalloonDevice b) {
        lock(b);
        try {
            b.migrationHolds--;
        } finally {
            unlock(b);
        }
    }

    // ---------------------------------------------------------------- the driver's module

    /**
     * b_dev_info->migratepage: a call into the driver's code, checked for use after unload at entry
     * and at return (what the kernel never checks: the module's text is simply expected to be there).
     */
    int callMigratepage(BalloonDevice b, int newPfn, int pfn, MigrateMode mode) {
        b.inMigratepage.incrementAndGet();
        try (ModuleCall c = lab.callIntoModule(b.migratepage, InjectionPoints.CALL_B_DEV_INFO_MIGRATEPAGE, pfn)) {
            return b.migratepage.migratepage(b, newPfn, pfn, mode);
        } finally {
            b.inMigratepage.decrementAndGet();
        }
    }

    /**
     * module-ref under 2025: balloon_mops are the core's, but they call the driver's migratepage, so an
     * isolated page pins the driver's module. False if try_module_get() fails (the driver is going).
     * Under 2012 and 2016 the migration core pins the mapping's owner itself.
     */
    boolean pinDriver(BalloonDevice b) {
        if (!era.balloonOwnsMovableOps() || b.migratepage == null || lab.modulePolicy() != ModulePolicy.MODULE_REF) {
            return true;
        }
        if (!mm.tryModuleGet(b.migratepage)) {
            return false;
        }
        b.pinned.incrementAndGet();
        return true;
    }

    /** module_put() for a page that pinned the driver, once it is back or migrated. */
    void unpinDriver(BalloonDevice b) {
        if (b.pinned.getAndUpdate(x -> x > 0 ? x - 1 : x) > 0) {
            mm.modulePut(b.migratepage);
        }
    }

    /**
     * osgi-drain: the driver let go of its Balloons service (it is stopping): its devices take no more
     * isolations, and this waits until their isolated pages are back and no call into the driver is
     * in flight, so nothing calls into it once it is gone. Bounded; a timeout is reported in dmesg.
     */
    void drainDriver(long bundleId, long timeoutMs) {
        List<BalloonDevice> mine = new ArrayList<>();
        for (BalloonDevice b : devices.values()) {
            if (b.bundleId() == bundleId) {
                b.draining = true;
                mine.add(b);
            }
        }
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (BalloonDevice b : mine) {
            while (b.isolatedPages > 0 || b.inMigratepage.get() > 0) {
                if (System.currentTimeMillis() > deadline) {
                    mm.printk(String.format("balloon: osgi-drain: %s still has %d isolated pages and %d calls in"
                            + " flight after %d ms", b.name(), b.isolatedPages, b.inMigratepage.get(), timeoutMs));
                    return;
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------- locks

    /** spin_lock_irqsave() of the lock that guards b's list under this contract, with its lockdep annotation. */
    void lock(BalloonDevice b) {
        lab.injectionPoint(InjectionPoints.BALLOON_LOCK, -1);
        mm.preemptDisable();
        mm.lockdepAcquire(era.pagesLockClass(), false);
        era.pagesLock(b).lock();
    }

    /** spin_unlock_irqrestore(): a RELEASE, so this CPU's buffered stores drain first (weak-memory mode). */
    void unlock(BalloonDevice b) {
        lab.injectionPoint(InjectionPoints.BALLOON_UNLOCK, -1);
        mm.lockdepRelease(era.pagesLockClass());
        mm.smpWmb();
        era.pagesLock(b).unlock();
        mm.preemptEnable();
    }

    /** list_del(&page->lru) off b's list (device lock held), with its injection point. */
    void listDel(BalloonDevice b, int pfn) {
        lab.injectionPoint(InjectionPoints.BALLOON_LIST_DEL, pfn);
        mm.listDel(pfn);
        b.nrPages--;
    }

    /** list_add(&page->lru, &b->pages) (device lock held), with its injection point. */
    void listAdd(BalloonDevice b, int pfn) {
        lab.injectionPoint(InjectionPoints.BALLOON_LIST_ADD, pfn);
        mm.listAdd(pfn, b.pagesHead);
        b.nrPages++;
    }

    /** get_page() on the balloon paths, with its injection point. */
    void getPage(int pfn) {
        lab.injectionPoint(InjectionPoints.BALLOON_GET_PAGE, pfn);
        mm.getPage(pfn);
    }

    /** put_page() on the balloon paths, with its injection point. */
    void putPage(int pfn) {
        lab.injectionPoint(InjectionPoints.BALLOON_PUT_PAGE, pfn);
        mm.putPage(pfn);
    }

    // ---------------------------------------------------------------- inflate

    /** balloon_page_alloc(). */
    int balloonPageAlloc() {
        return mm.allocPages(GFP_BALLOON, 0);
    }

    /** balloon_page_enqueue(). */
    void balloonPageEnqueue(BalloonDevInfo info, int pfn) {
        BalloonDevice b = device(info);
        checkPfn(pfn);
        boolean pageLock = era.enqueueLocksPage();
        if (pageLock && !mm.trylockPage(pfn)) {
            // BUG_ON(!trylock_page(page)): nobody else may hold a page the driver just allocated
            mm.printk(String.format("kernel BUG at mm/balloon_compaction.c: balloon_page_enqueue: pfn %#x locked"
                    + " by someone else", pfn));
            throw new KernelBug("BUG_ON(!trylock_page(page)) in balloon_page_enqueue, pfn " + Integer.toHexString(pfn));
        }
        try {
            lock(b);
            try {
                balloonPageEnqueueOne(b, pfn);
            } finally {
                unlock(b);
            }
        } finally {
            if (pageLock) {
                mm.unlockPage(pfn);
            }
        }
    }

    /** balloon_page_list_enqueue(). */
    int balloonPageListEnqueue(BalloonDevInfo info, int[] pfns, int n) {
        if (n < 0 || n > pfns.length) {
            throw new IllegalArgumentException("balloon_page_list_enqueue(): " + n + " of " + pfns.length + " pages");
        }
        for (int i = 0; i < n; i++) {
            balloonPageEnqueue(info, pfns[i]);
        }
        return n;
    }

    /** balloon_page_enqueue_one(): with the device's lock (and, before 2025, the page lock) held. */
    private void balloonPageEnqueueOne(BalloonDevice b, int pfn) {
        balloonPageInsert(b, pfn);
        if (b.adjustManagedPageCount()) {
            mm.adjustManagedPageCount(pfn, -1);
        }
        mm.countVmEvent(VmEvent.BALLOON_INFLATE);
        mm.modNodePageState(NodeStat.NR_BALLOON_PAGES, 1);
    }

    /** balloon_page_insert(): mark the page the device's, the contract's way, and list_add it. */
    void balloonPageInsert(BalloonDevice b, int pfn) {
        era.insert(b, pfn);
        listAdd(b, pfn);
    }

    // ---------------------------------------------------------------- deflate

    /** balloon_page_dequeue(): NO_PAGE if none now; the "balloon pages are lost" BUG if none at all. */
    int balloonPageDequeue(BalloonDevInfo info) {
        BalloonDevice b = device(info);
        int[] one = new int[1];
        if (balloonPageListDequeue(b, one, 1) == 1) {
            return one[0];
        }
        lock(b);
        try {
            if (mm.listEmpty(b.pagesHead) && b.isolatedPages == 0) {
                mm.printk("kernel BUG at mm/balloon.c: balloon_page_dequeue: " + b.name()
                        + ": the list is empty and no page is isolated: balloon pages are lost");
                throw new KernelBug("balloon pages are lost: " + b.name() + " has no page on its list and none isolated");
            }
            if (mm.listEmpty(b.pagesHead) && b.migrationHolds == 0) {
                // the kernel sees isolated_pages only, and its driver would retry for ever
                mm.printk("kernel BUG at mm/balloon.c: balloon_page_dequeue: " + b.name() + ": the list is empty"
                        + " and isolated_pages is " + b.isolatedPages + ", but migration holds none of its pages:"
                        + " balloon pages are lost");
                throw new KernelBug("balloon pages are lost: " + b.name() + " has no page on its list, and the "
                        + b.isolatedPages + " isolated_pages count are held by no migration");
            }
        } finally {
            unlock(b);
        }
        return Mm.NO_PAGE;
    }

    /**
     * balloon_page_list_dequeue(): up to nReq pages off the list under the lock. Before 2025 a page
     * whose lock cannot be taken, or that is isolated, is skipped ("raced with isolation").
     */
    int balloonPageListDequeue(BalloonDevInfo info, int[] out, int nReq) {
        BalloonDevice b = device(info);
        if (nReq < 0 || nReq > out.length) {
            throw new IllegalArgumentException("balloon_page_list_dequeue(): " + nReq + " pages into " + out.length);
        }
        int n = 0;
        lock(b);
        try {
            int pfn = mm.listNext(b.pagesHead);
            while (pfn != b.pagesHead && n < nReq) {
                int next = mm.listNext(pfn);
                if (era.dequeueOne(b, pfn)) {
                    out[n++] = pfn;
                }
                pfn = next;
            }
        } finally {
            unlock(b);
        }
        era.afterDequeue(out, n);
        return n;
    }

    /** balloon_page_delete() of one named page of a device without migration, with the dequeue's accounting. */
    void balloonPageDelete(BalloonDevInfo info, int pfn) {
        BalloonDevice b = device(info);
        checkPfn(pfn);
        if (b.migratepage != null) {
            throw new IllegalArgumentException(b.name() + " migrates its pages: take them with balloon_page_dequeue()");
        }
        boolean deleted;
        lock(b);
        try {
            String wrong = era.notMarkedAs(b, pfn);
            if (wrong != null) {
                throw new IllegalArgumentException(String.format("pfn %#x is not a page of %s: it %s", pfn, b.name(),
                        wrong));
            }
            deleted = era.dequeueOne(b, pfn);
        } finally {
            unlock(b);
        }
        if (!deleted) {
            throw new IllegalArgumentException(String.format("pfn %#x of %s is locked: not deleted", pfn, b.name()));
        }
        era.afterDequeue(new int[] {pfn}, 1);
    }

    /** What every deflation counts: the managed pages back, BALLOON_DEFLATE, NR_BALLOON_PAGES. */
    void balloonPageDeflated(BalloonDevice b, int pfn) {
        if (b.adjustManagedPageCount()) {
            mm.adjustManagedPageCount(pfn, 1);
        }
        mm.countVmEvent(VmEvent.BALLOON_DEFLATE);
        mm.modNodePageState(NodeStat.NR_BALLOON_PAGES, -1);
    }

    /** notMarkedAs() of the eras that mark pages PageOffline with page->private = the device. */
    String notOfflineAs(BalloonDevice b, int pfn) {
        if (own.pagePrivate(pfn) != b.id) {
            return "has page->private " + own.pagePrivate(pfn);
        }
        return mm.pageType(pfn) == PageType.OFFLINE ? null : "is not PageOffline";
    }

    /**
     * markedDevice() of those eras: PageOffline with page->private naming a device (a free page's
     * page->private is its buddy order, which proves nothing).
     */
    IntFunction<BalloonDevice> offlineDevice(List<BalloonDevice> list) {
        Map<Integer, BalloonDevice> byId = new HashMap<>();
        for (BalloonDevice b : list) {
            byId.put(b.id, b);
        }
        return pfn -> mm.pageType(pfn) == PageType.OFFLINE ? byId.get(own.pagePrivate(pfn)) : null;
    }

    private void checkPfn(int pfn) {
        if (pfn < 0 || pfn >= mm.nrPages()) {
            throw new IllegalArgumentException("pfn " + pfn + " out of range");
        }
    }
}
