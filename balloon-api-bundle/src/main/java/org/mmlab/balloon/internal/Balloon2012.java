package org.mmlab.balloon.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonMigrate;
import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.MovablePages2012;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.V7BalloonMapping;

/**
 * Models mm/balloon_compaction.c of v3.8 (Rafael Aquini, 2012, seed 000): a device's pages point to
 * its balloon mapping (page->mapping), which leads migration to the device's hooks
 * ({@link Balloon2012Hooks}); the driver's migratepage does the bookkeeping itself. Seed 000's rules:
 * (i) page->mapping changes only under the page lock, then the device's pages_lock; (ii) dequeue raises
 * the refcount before the page leaves the list; (iii) isolation re-tests under the page lock (mm-core
 * does). For the race lab it also dequeues as the reviewed v7 virtio patch did (seed 003,
 * {@link LeakPath}), and serves drivers that keep their own balloon mapping (the v7 lifecycle).
 */
final class Balloon2012 implements BalloonContract {
    private final BalloonCore core;
    /** balloon-api's own MovablePages, for the v7 leak path's lockless store. */
    private final V7BalloonMapping ownV7;

    Balloon2012(BalloonCore core, MovablePages2012 own) {
        this.core = core;
        this.ownV7 = (V7BalloonMapping) own;
    }

    @Override
    public MigrationContract contract() {
        return MigrationContract.BALLOON_2012;
    }

    /** The device driver's 2012 MovablePages: its balloon mappings are registered to the driver. */
    private static MovablePages2012 driverPages(BalloonDevice b) {
        return (MovablePages2012) b.driverPages;
    }

    /** balloon_mapping_alloc(b_dev_info, a_ops): private_data and a_ops are the device's hooks. */
    @Override
    public void devinfoInit(BalloonDevice b) {
        Balloon2012Hooks hooks = new Balloon2012Hooks(core, b);
        b.mapping = driverPages(b).balloonMappingAlloc(hooks, hooks);
        b.mappingPrivate = hooks;
    }

    /**
     * balloon_devinfo_init() for a driver that keeps its own balloon mapping (the v7 lifecycle): the
     * device's hooks exist (the mapping's private_data once the driver initialises one), but its pages
     * take their mapping from the driver's pointer at each insertion.
     */
    BalloonDevInfo devinfoInitDriverMapping(String name, BalloonMigrate migratepage, boolean adjust, String bundle,
            long bundleId, MovablePages driverPages, Supplier<AddressSpace> balloonMapping) {
        if (migratepage == null || balloonMapping == null) {
            throw new IllegalArgumentException("a driver that keeps its own balloon mapping gives its migratepage and"
                    + " its balloon_mapping pointer");
        }
        BalloonDevice b = core.newDevice(name, migratepage, adjust, bundle, bundleId, driverPages);
        b.driverMapping = balloonMapping;
        b.mappingPrivate = new Balloon2012Hooks(core, b);
        core.addDevice(b);
        return b;
    }

    /** kmalloc() of a driver's own balloon mapping, registered to the driver. */
    AddressSpace balloonMappingKmalloc(MovablePages driverPages) {
        return ((V7BalloonMapping) driverPages).balloonMappingKmalloc();
    }

    /** The driver's initialisation of its mapping: a_ops and private_data are device b's hooks. */
    void balloonMappingInit(BalloonDevice b, AddressSpace mapping) {
        if (b.driverMapping == null) {
            throw new IllegalArgumentException(b.name() + " has a mapping of the infrastructure's: nothing to initialise");
        }
        Balloon2012Hooks hooks = (Balloon2012Hooks) b.mappingPrivate;
        ((V7BalloonMapping) b.driverPages).balloonMappingInit(mapping, hooks, hooks);
    }

    void balloonMappingKfree(MovablePages driverPages, AddressSpace mapping) {
        ((MovablePages2012) driverPages).balloonMappingFree(mapping);
    }

    @Override
    public void devinfoRemove(BalloonDevice b) {
        if (b.mapping != null) {
            driverPages(b).balloonMappingFree(b.mapping);
        }
    }

    /** b_dev_info->pages_lock: one per device. */
    @Override
    public ReentrantLock pagesLock(BalloonDevice b) {
        return b.pagesLock;
    }

    @Override
    public String pagesLockClass() {
        return InjectionPoints.LOCK_B_DEV_INFO_PAGES;
    }

    @Override
    public boolean enqueueLocksPage() {
        return true;
    }

    /** balloon_page_insert(): page->mapping = the balloon mapping (v7: whatever the driver's pointer holds now). */
    @Override
    public void insert(BalloonDevice b, int pfn) {
        AddressSpace m = b.driverMapping != null ? b.driverMapping.get() : b.mapping;
        if (m != null) {
            driverPages(b).balloonPageSetMapping(pfn, m);
        }
    }

    /** balloon_page_delete(): page->mapping = NULL, under the page lock and pages_lock (rule i). */
    private void delete(BalloonDevice b, int pfn) {
        if (b.mapping != null || b.driverMapping != null) {
            driverPages(b).balloonPageClearMapping(pfn);
        }
    }

    @Override
    public boolean dequeueOne(BalloonDevice b, int pfn) {
        if (leaksAsV7()) {
            // seed 003's v7 leak_balloon(): page->mapping = NULL, then list_del(), under pages_lock alone
            ownV7.balloonPageClearMappingLockless(pfn);
            if (core.leakPath == LeakPath.V7_WMB) {
                core.mm.smpWmb(); // "So I think this needs a wmb()"
            }
            core.listDel(b, pfn);
            core.balloonPageDeflated(b, pfn);
            return true;
        }
        if (!core.mm.trylockPage(pfn)) {
            return false;
        }
        try {
            core.getPage(pfn); // rule ii: raise the refcount before the page leaves the list
            delete(b, pfn);
            core.listDel(b, pfn);
            core.balloonPageDeflated(b, pfn);
            return true;
        } finally {
            core.mm.unlockPage(pfn);
        }
    }

    /** Deflation as the reviewed v7 patch did it. */
    private boolean leaksAsV7() {
        return core.leakPath != LeakPath.V3_8;
    }

    /** v3.8's balloon_page_free() drops rule ii's reference (the v7 leak path took none). */
    @Override
    public void afterDequeue(int[] pfns, int n) {
        if (!leaksAsV7()) {
            for (int i = 0; i < n; i++) {
                core.putPage(pfns[i]);
            }
        }
    }

    @Override
    public void migratedAway(BalloonDevice b, int pfn) {
        delete(b, pfn);
    }

    /** The core keeps the new page's allocation reference as the balloon's (MIGRATEPAGE_BALLOON_SUCCESS). */
    @Override
    public boolean balloonTakesReference() {
        return false;
    }

    @Override
    public boolean driverAccountsMigration() {
        return true;
    }

    @Override
    public String notMarkedAs(BalloonDevice b, int pfn) {
        return b.mapping == null || driverPages(b).balloonPageDevice(pfn) == b.mappingPrivate ? null
                : "has no balloon mapping of this device";
    }

    /** balloon_page_device(): the hooks a page's balloon mapping leads to, and so their device. */
    @Override
    public IntFunction<BalloonDevice> markedDevice(List<BalloonDevice> devices) {
        Map<Object, BalloonDevice> byHooks = new HashMap<>();
        for (BalloonDevice b : devices) {
            if (b.mappingPrivate != null) {
                byHooks.put(b.mappingPrivate, b);
            }
        }
        MovablePages2012 own = (MovablePages2012) ownV7;
        return byHooks.isEmpty() ? pfn -> null : pfn -> byHooks.get(own.balloonPageDevice(pfn));
    }
}
