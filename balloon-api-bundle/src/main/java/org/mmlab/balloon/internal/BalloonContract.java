package org.mmlab.balloon.internal;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;

import org.mmlab.mm.MigrationContract;

/**
 * One kernel era's part of the balloon infrastructure: how a device's pages are marked as balloon
 * pages and found again by migration, which lock guards its list, and who does a migration's
 * bookkeeping. {@link BalloonCore} picks one at boot from the guest's movable-page service
 * ({@link Balloon2012}, {@link Balloon2016}, {@link Balloon2025}); the lists, counters, enqueue and
 * dequeue loops and the module policies stay in BalloonCore.
 */
interface BalloonContract {
    MigrationContract contract();

    /** balloon_devinfo_init()'s part for a device that migrates: its mapping (2012, 2016), or nothing. */
    void devinfoInit(BalloonDevice b);

    /** The device goes: its mapping is freed (2012, 2016). */
    void devinfoRemove(BalloonDevice b);

    /** The lock that guards b's list in this era: its own pages_lock, or the global balloon_pages_lock. */
    ReentrantLock pagesLock(BalloonDevice b);

    /** That lock's lockdep class. */
    String pagesLockClass();

    /** Before 2025 balloon_page_enqueue() locks the new page (BUG_ON(!trylock_page(page))). */
    boolean enqueueLocksPage();

    /** balloon_page_insert()'s marks, device lock held: the page becomes b's the era's way. */
    void insert(BalloonDevice b, int pfn);

    /**
     * Dequeue of one listed page, device lock held: the era's tests and unmarking, and list_del().
     * False if the page is skipped ("raced with isolation").
     */
    boolean dequeueOne(BalloonDevice b, int pfn);

    /** After the device lock is dropped, for the pages dequeued (2012 v3.8: rule ii's reference dropped). */
    default void afterDequeue(int[] pfns, int n) {
    }

    /**
     * The old page of a migration leaves the balloon (device lock held, page not on the list):
     * balloon_page_delete() (2012, 2016) or balloon_page_finalize() (2025).
     */
    void migratedAway(BalloonDevice b, int pfn);

    /** The balloon holds its own reference on its pages (2016, 2025); in 2012 the allocation's is the balloon's. */
    boolean balloonTakesReference();

    /** The driver's migratepage does the bookkeeping itself (2012, 2016: {@link BalloonCore#balloonPageMigrated}). */
    boolean driverAccountsMigration();

    /**
     * Migration calls the infrastructure's balloon_mops (2025), so under module-ref the balloon core pins
     * the driver; before, migration reached the driver's own mapping, whose owner mm-core pins.
     */
    default boolean balloonOwnsMovableOps() {
        return false;
    }

    /** Why a page on b's list does not carry b's marks, or null (mm:check; the page is allocated). */
    String notMarkedAs(BalloonDevice b, int pfn);

    /** For mm:check: which of these devices a page's marks name, or null. */
    IntFunction<BalloonDevice> markedDevice(List<BalloonDevice> devices);
}
