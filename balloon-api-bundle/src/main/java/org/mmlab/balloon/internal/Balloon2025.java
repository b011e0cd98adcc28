package org.mmlab.balloon.internal;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages2025;
import org.mmlab.mm.lab.InjectionPoints;

/**
 * Models mm/balloon.c as mainline has it (2025, with the 2026 cleanups; include/linux/balloon.h): a
 * device's pages are PageOffline with PG_movable_ops, and balloon_mops, set once for PGTY_offline
 * ({@link BalloonMigration}), find the device in page->private. One global balloon_pages_lock; the
 * page lock is not used. (i) Inflation and deflation set and clear page->private under it; (ii)
 * isolation and dequeue take the page off the list under it. The core does a migration's bookkeeping
 * after the driver's migratepage returned.
 */
final class Balloon2025 implements BalloonContract {
    private final BalloonCore core;
    private final MovablePages2025 own;
    /** balloon_pages_lock. */
    private final ReentrantLock balloonPagesLock = new ReentrantLock();

    Balloon2025(BalloonCore core, MovablePages2025 own) {
        this.core = core;
        this.own = own;
    }

    @Override
    public MigrationContract contract() {
        return MigrationContract.MOVABLE_OPS_2025;
    }

    /** Nothing per device: balloon_mops are registered once, at boot (BalloonComponent). */
    @Override
    public void devinfoInit(BalloonDevice b) {
    }

    @Override
    public void devinfoRemove(BalloonDevice b) {
    }

    @Override
    public ReentrantLock pagesLock(BalloonDevice b) {
        return balloonPagesLock;
    }

    @Override
    public String pagesLockClass() {
        return InjectionPoints.LOCK_BALLOON_PAGES;
    }

    @Override
    public boolean enqueueLocksPage() {
        return false;
    }

    /** balloon_page_insert(): __SetPageOffline, SetPageMovableOps (if the device migrates), page->private. */
    @Override
    public void insert(BalloonDevice b, int pfn) {
        own.setPageOffline(pfn);
        if (b.migratepage != null) {
            own.setPageMovableOps(pfn);
        }
        own.setPagePrivate(pfn, b.id);
    }

    /** Take the first pages: balloon_page_finalize() clears page->private; PageOffline stays until freed. */
    @Override
    public boolean dequeueOne(BalloonDevice b, int pfn) {
        core.listDel(b, pfn);
        core.balloonPageDeflated(b, pfn);
        own.setPagePrivate(pfn, 0);
        return true;
    }

    /** balloon_page_finalize(). */
    @Override
    public void migratedAway(BalloonDevice b, int pfn) {
        own.setPagePrivate(pfn, 0);
    }

    @Override
    public boolean balloonTakesReference() {
        return true;
    }

    @Override
    public boolean driverAccountsMigration() {
        return false;
    }

    @Override
    public boolean balloonOwnsMovableOps() {
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
