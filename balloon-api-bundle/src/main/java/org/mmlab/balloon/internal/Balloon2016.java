package org.mmlab.balloon.internal;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages2016;
import org.mmlab.mm.lab.InjectionPoints;

/**
 * Models mm/balloon_compaction.c of v5.0 (seed 004): a device's pages are PageOffline and
 * __SetPageMovable() with the balloon inode's mapping, whose a_ops are balloon_aops
 * ({@link BalloonMigration}); page->private names the device. Each device has its pages_lock, taken
 * after the page lock (trylock); dequeue skips a page it cannot lock or that is isolated (seed 004's
 * updated rule ii). The driver's migratepage does the bookkeeping itself, as v5.0's
 * virtballoon_migratepage did.
 */
final class Balloon2016 implements BalloonContract {
    private final BalloonCore core;
    private final MovablePages2016 own;

    Balloon2016(BalloonCore core, MovablePages2016 own) {
        this.core = core;
        this.own = own;
    }

    @Override
    public MigrationContract contract() {
        return MigrationContract.NON_LRU_2016;
    }

    private static MovablePages2016 driverPages(BalloonDevice b) {
        return (MovablePages2016) b.driverPages;
    }

    /** The balloon inode (alloc_anon_inode() on balloon_mnt) with balloon_aops, registered to the driver. */
    @Override
    public void devinfoInit(BalloonDevice b) {
        b.mapping = driverPages(b).allocAnonInode(core.migration.aops2016, b);
    }

    @Override
    public void devinfoRemove(BalloonDevice b) {
        if (b.mapping != null) {
            driverPages(b).iput(b.mapping);
        }
    }

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

    /** balloon_page_insert(): __SetPageOffline, __SetPageMovable(page, inode mapping), page->private. */
    @Override
    public void insert(BalloonDevice b, int pfn) {
        own.setPageOffline(pfn);
        if (b.mapping != null) {
            driverPages(b).setPageMovable(pfn, b.mapping);
        }
        own.setPagePrivate(pfn, b.id);
    }

    /** balloon_page_delete(), page lock and device lock held: __ClearPageOffline, __ClearPageMovable, page->private. */
    private void delete(BalloonDevice b, int pfn) {
        own.clearPageOffline(pfn);
        if (b.mapping != null) {
            driverPages(b).clearPageMovable(pfn);
        }
        own.setPagePrivate(pfn, 0);
    }

    @Override
    public boolean dequeueOne(BalloonDevice b, int pfn) {
        if (!core.mm.trylockPage(pfn)) {
            return false;
        }
        try {
            if (own.pageIsolated(pfn)) {
                return false; // raced with isolation
            }
            delete(b, pfn);
            core.listDel(b, pfn);
            core.balloonPageDeflated(b, pfn);
            return true;
        } finally {
            core.mm.unlockPage(pfn);
        }
    }

    @Override
    public void migratedAway(BalloonDevice b, int pfn) {
        delete(b, pfn);
    }

    @Override
    public boolean balloonTakesReference() {
        return true;
    }

    @Override
    public boolean driverAccountsMigration() {
        return true;
    }

    @Override
    public String notMarkedAs(BalloonDevice b, int pfn) {
        return core.notOfflineAs(b, pfn);
    }

    @Override
    public IntFunction<BalloonDevice> markedDevice(List<BalloonDevice> devices) {
        return core.offlineDevice(devices);
    }
}
