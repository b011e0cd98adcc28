package org.mmlab.mm.internal;

import java.util.BitSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.mmlab.mm.lab.InjectionPoints;

import org.mmlab.mm.Errno;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.lab.InjectionPoints;

/**
 * Models mm/migrate.c: taking pages off their owners for migration (folio_isolate_lru() for user
 * pages; for the others seed 001's isolation order around the {@link MovableContract} this guest
 * boots with), migrate_pages() with the kernel's retry passes, and putback_movable_pages(). Lists of
 * pages to migrate are list heads in the memmap threaded through page->lru, as cc->migratepages is.
 *
 * <p>Locks, outermost first, as in the kernel: the page lock of the page being moved (then, nested,
 * the new page's, which is always free of contention so it is only try-locked); a process's ptl
 * (WorkloadProcess, to swap a PTE with a migration entry and back); lru_lock; zone->lock. No zone
 * lock or lru_lock is held while a driver's callback runs or while waiting for a page lock. Every
 * entry point runs inside stop_machine's read section; a task that sleeps on a page lock leaves it
 * while it sleeps (as a sleeping task does not hold off stop_machine), so mm:check may see a
 * migration between its steps: isolated pages are recorded here for it ({@link #isolatedLru},
 * {@link #isolatedMovable}) and free pages a caller keeps on a private list can be registered
 * ({@link #trackIsolatedFreeList}).
 */
public final class Migrate {
    /** NR_MAX_MIGRATE_PAGES_RETRY: passes over the list for pages that returned -EAGAIN. */
    public static final int NR_MAX_MIGRATE_PAGES_RETRY = 10;
    /** MIGRATEPAGE_SUCCESS (plain 0 since 2025-08). */
    public static final int MIGRATEPAGE_SUCCESS = 0;
    /**
     * Freed source pages migrate_pages() collects before it gives them to the buddy allocator under
     * one zone->lock hold: pcp->batch, as zone_batchsize() sets it for a zone of 1 GiB or more (the
     * per-cpu list then goes to the buddy allocator in free_pcppages_bulk()).
     */
    static final int FREE_BATCH = 63;
    /** No batch of freed pages (callers outside migrate_pages()). */
    private static final int NO_BATCH = -1;
    /**
     * The page flags folio_migrate_flags() hands to the new page, and the ones it takes from the old.
     * PG_dirty came from the PTE in try_to_migrate_one(); PG_owner_2 (PG_mappedtodisk, an anon page's
     * PG_anon_exclusive) is copied too, though an order-0 anon page lost it there: its exclusivity travels
     * in the migration entry and remove_migration_pte() sets it on the new page.
     */
    private static final int COPIED_FLAGS = 1 << PageFlags.PG_referenced | 1 << PageFlags.PG_uptodate
            | 1 << PageFlags.PG_dirty | 1 << PageFlags.PG_workingset | 1 << PageFlags.PG_swapbacked
            | 1 << PageFlags.PG_owner_2;
    private static final int MOVED_FLAGS = 1 << PageFlags.PG_active | 1 << PageFlags.PG_unevictable
            | 1 << PageFlags.PG_mlocked;

    /** get_new_folio (compaction_alloc): a free page of this order for src, or Mm.NO_PAGE. */
    public interface NewPage {
        int alloc(int srcPfn, int order);
    }

    /** put_new_folio (compaction_free): give back a target page that was not used. */
    public interface FreeNewPage {
        void free(int pfn, int order);
    }

    /** enum migrate_reason, the ones the simulation has. */
    public enum Reason { COMPACTION, SYSCALL }

    final GuestMemory guest;
    private final MemMap map;
    private final PageLists lists;
    private final PageLock pageLock;
    private final MmDebug debug;
    /** The era's part for non-LRU pages, chosen once at boot. */
    final MovableContract movable;
    final MovableOwners owners = new MovableOwners();

    /**
     * Pages on a migration list now, by kind: taken off the LRU (PG_lru clear, NR_ISOLATED_ANON) or
     * isolated from their movable-page owner. The kernel keeps no such record (an isolated page is
     * one that a list holds a reference on); mm:check uses it to account pages in flight.
     */
    private final AtomicBitmap lruIsolated;
    private final AtomicBitmap movableIsolated;
    /** List heads whose pages are free pages a caller took from the buddy allocator (refcount 0). */
    private final Set<Integer> isolatedFreeLists = ConcurrentHashMap.newKeySet();
    /** WARN_ON_ONCE() sites that fired. */
    private final Set<String> warnedOnce = ConcurrentHashMap.newKeySet();

    Migrate(GuestMemory guest) {
        this.guest = guest;
        this.map = guest.map;
        this.lists = guest.lists;
        this.pageLock = guest.pageLock;
        this.debug = guest.debug;
        this.movable = switch (guest.config.migrationContract) {
            case BALLOON_2012 -> new BalloonCompaction2012(this);
            case NON_LRU_2016 -> new NonLruMovable2016(this);
            case MOVABLE_OPS_2025 -> new MovableOps2025(this);
        };
        lruIsolated = new AtomicBitmap(map.nrPages);
        movableIsolated = new AtomicBitmap(map.nrPages);
    }

    public MigrationContract contract() {
        return movable.contract();
    }

    // ================================================================== LRU pages

    /**
     * folio_isolate_lru(): take an LRU page off its LRU list under lru_lock, clearing PG_lru and
     * keeping a reference, so migration owns it. False if it was not on the LRU (or is being freed).
     * Counts NR_ISOLATED_ANON itself (the kernel's callers do it right after). Large folios are not
     * isolated: the simulation migrates order-0 pages only.
     */
    public boolean isolateLruPage(int pfn) {
        guest.checkPfn(pfn);
        guest.stopMachine.enter();
        try {
            return folioIsolateLru(pfn);
        } finally {
            guest.stopMachine.exit();
        }
    }

    /**
     * {@link #isolateLruPage} for a caller already inside the stop_machine read section (compaction's
     * migrate scanner), without a nested enter/exit per page.
     */
    boolean folioIsolateLru(int pfn) {
        // the reference first, so that the page cannot be freed under us once we find it on the LRU
        if (!map.refIncUnlessZero(pfn)) {
            return false;
        }
        boolean isolated = false;
        Lruvec lru = guest.lruvec;
        lru.lruLock.lock();
        try {
            if (!map.testFlag(pfn, PageFlags.PG_head) && map.testFlag(pfn, PageFlags.PG_lru)) {
                lru.delLocked(pfn); // clears PG_lru
                isolated = true;
            }
        } finally {
            lru.lruLock.unlock();
        }
        if (!isolated) {
            guest.putPageInside(pfn); // isolate_fail_put: it may have been the last reference
            return false;
        }
        accountIsolatedLru(pfn);
        return true;
    }

    /** After an LRU page left its list for a migration list: recorded for mm:check, and NR_ISOLATED_ANON. */
    void accountIsolatedLru(int pfn) {
        lruIsolated.set(pfn);
        guest.vmstat.add(VmItem.NR_ISOLATED_ANON, 1);
    }

    /** The page is on a migration list, taken off the LRU by {@link #isolateLruPage}. */
    public boolean isolatedLru(int pfn) {
        return lruIsolated.test(pfn);
    }

    /** The page is on a migration list, isolated from its movable-page owner. */
    public boolean isolatedMovable(int pfn) {
        return movableIsolated.test(pfn);
    }

    /**
     * Registers a list head whose entries are free pages the caller isolated from the buddy
     * allocator (refcount 0, off the free lists; each the head of a block whose order is in
     * page->private, as isolate_freepages_block() leaves them), so that mm:check accounts them while
     * they wait there. Unregister with {@link #untrackIsolatedFreeList} before freeing the head.
     */
    public void trackIsolatedFreeList(int head) {
        isolatedFreeLists.add(head);
    }

    public void untrackIsolatedFreeList(int head) {
        isolatedFreeLists.remove(head);
    }

    Set<Integer> isolatedFreeLists() {
        return Set.copyOf(isolatedFreeLists);
    }

    /** Snapshots of the isolated-page records for mm:check (machine stopped). */
    BitSet isolatedLruPages() {
        return lruIsolated.snapshot();
    }

    BitSet isolatedMovablePages() {
        return movableIsolated.snapshot();
    }

    // ================================================================== movable (non-LRU) pages: lookups

    /**
     * The lockless hint compaction's scanner uses before trying to isolate a non-LRU page (per contract):
     * 2012 balloon_page_movable(), 2016 __PageMovable(), 2025 page_has_movable_ops(). The scanner's
     * test is {@code pageHasMovableOps(pfn) && !pageMovableIsolated(pfn)}, as isolate_migratepages_block()
     * does; isolation re-checks everything under the page lock.
     */
    public boolean pageHasMovableOps(int pfn) {
        return movable.pageHasMovableOps(pfn, "isolate_migratepages_block");
    }

    /** The same test by kernel code in function, or by the lab's own look (function null: nothing is reported). */
    boolean pageHasMovableOps(int pfn, String function) {
        return movable.pageHasMovableOps(pfn, function);
    }

    /** PageIsolated() (2016) / PageMovableOpsIsolated() (2025); 2012 has no flag (page_count 2 says it). */
    public boolean pageMovableIsolated(int pfn) {
        return movable.pageMovableIsolated(pfn);
    }

    /** The registration that owns a movable page now (for the registry), or null. */
    MovableOwners.Registration ownerOf(int pfn) {
        return movable.ownerOf(pfn);
    }

    // ================================================================== isolation of movable pages

    /**
     * isolate_movable_page() / isolate_movable_ops_page() per the configured contract. Every contract
     * follows the order of seed 001: get_page_unless_zero() (a page on its way to being freed is
     * left alone; if we win a race with its release, our put_page() frees it), trylock_page() (never
     * sleep, and never isolate a page someone else is migrating or releasing), re-test under the lock,
     * and drop the reference on any failure. Ownership moves to the core only while a page is isolated.
     */
    public boolean isolateMovablePage(int pfn, int isolateMode) {
        guest.checkPfn(pfn);
        boolean isolated;
        guest.stopMachine.enter();
        try {
            isolated = !(movable.skipsTailPages() && map.isTail(pfn)) && isolate(pfn, isolateMode);
        } finally {
            guest.stopMachine.exit();
        }
        // the instant isolate_movable_page() returns, isolated or not
        guest.modules.table.at(InjectionPoints.ISOLATE_RETURN, pfn);
        return isolated;
    }

    /*
     * Seed 001's isolation, the same in every contract: get_page_unless_zero() (a page on its way to
     * the allocator is left alone), trylock_page() (never sleep on a stranger's lock), the contract's
     * re-test and isolation under the lock, and on any failure the reference dropped again.
     */
    private boolean isolate(int pfn, int isolateMode) {
        guest.modules.table.at(InjectionPoints.ISOLATE_GET_PAGE, pfn);
        if (!guest.debug.isolateUnlessZero()) {
            guest.getPage(pfn); // the race lab's race 7: get_page() on a page that may be on its way to the allocator
        } else if (!map.refIncUnlessZero(pfn)) {
            return false;
        }
        guest.modules.table.at(InjectionPoints.ISOLATE_TRYLOCK_PAGE, pfn);
        if (movable.isolateBeforeLock(pfn) && pageLock.trylock(pfn)) {
            boolean isolated;
            try {
                isolated = movable.isolateLocked(pfn, isolateMode);
            } finally {
                pageLock.unlock(pfn);
            }
            if (isolated) {
                return true;
            }
        }
        guest.putPageInside(pfn);
        return false;
    }

    /** A non-LRU page was taken from its owner: recorded for mm:check until it leaves the migration list. */
    void markIsolatedMovable(int pfn) {
        movableIsolated.set(pfn);
    }

    // ================================================================== putback

    /** putback_movable_pages(): LRU pages back to the LRU, movable pages to their owner, references dropped. */
    public void putbackMovablePages(int head) {
        guest.stopMachine.enter();
        try {
            while (!lists.isEmpty(head)) {
                int pfn = lists.first(head);
                if (!lists.del(pfn)) {
                    throw new KernelBug("putback_movable_pages: migration list corrupt at pfn " + Integer.toHexString(pfn));
                }
                if (movable.isMovable(pfn)) {
                    movable.putback(pfn);
                } else {
                    folioPutbackLru(pfn);
                }
            }
        } finally {
            guest.stopMachine.exit();
        }
    }

    /** folio_putback_lru(): back on the LRU (PG_lru set), NR_ISOLATED_ANON down, the isolation reference dropped. */
    private void folioPutbackLru(int pfn) {
        clearIsolated(pfn);
        guest.lruvec.add(pfn);
        guest.putPageInside(pfn); // the owner may have let go meanwhile: then it is freed from the LRU
    }

    // ================================================================== migrate_pages()

    /**
     * migrate_pages(): migrate every page on the list at fromHead to a page from getNew, with the
     * kernel's retry passes for -EAGAIN (NR_MAX_MIGRATE_PAGES_RETRY; from the fourth pass on, the
     * synchronous modes wait for a page lock instead of giving up); pages that failed permanently or
     * still returned -EAGAIN after the last pass stay on the list for the caller to put back
     * ({@link #putbackMovablePages}). When getNew returns NO_PAGE, migration stops there ("when memory
     * is low, don't bother to try to migrate other pages") and returns -{@link Errno#ENOMEM}, with the
     * pages not tried still on the list. Otherwise returns the number of pages not migrated (0: all
     * were). nrSucceeded[0] (if given) gets the number migrated. Counts pgmigrate_success and
     * pgmigrate_fail.
     */
    public int migratePages(int fromHead, NewPage getNew, FreeNewPage putNew, MigrateMode mode, Reason reason,
            int[] nrSucceeded) {
        guest.stopMachine.enter();
        int retHead = map.allocListHead();
        // the source pages whose last reference went, on their way to the buddy allocator
        int freeHead = map.allocListHead();
        int batched = 0;
        int nrFailed = 0;
        int nrSucc = 0;
        int retry = 1;
        boolean nomem = false;
        try {
            passes:
            for (int pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && retry > 0; pass++) {
                retry = 0;
                int next;
                for (int pfn = lists.first(fromHead); pfn != fromHead; pfn = next) {
                    next = lists.next(pfn);
                    int rc = unmapAndMove(getNew, putNew, pfn, pass > 2, mode, retHead, freeHead);
                    if (rc == MIGRATEPAGE_SUCCESS) {
                        nrSucc++;
                        if (++batched >= FREE_BATCH) {
                            guest.alloc.freeUnrefPageList(freeHead);
                            batched = 0;
                        }
                    } else if (rc == -Errno.EAGAIN) {
                        retry++;
                    } else if (rc == -Errno.ENOMEM) {
                        // when memory is low, don't bother to try to migrate other pages, just exit
                        nrFailed++;
                        nomem = true;
                        break passes;
                    } else {
                        nrFailed++;
                    }
                }
            }
            if (!nomem) {
                nrFailed += retry;
            }
        } finally {
            guest.alloc.freeUnrefPageList(freeHead);
            map.freeListHead(freeHead);
            // list_splice(&ret_pages, from): what failed goes back to the caller's list
            while (!lists.isEmpty(retHead)) {
                lists.moveTail(lists.first(retHead), fromHead);
            }
            map.freeListHead(retHead);
            guest.vmstat.add(VmItem.PGMIGRATE_SUCCESS, nrSucc);
            guest.vmstat.add(VmItem.PGMIGRATE_FAIL, nrFailed);
            guest.stopMachine.exit();
        }
        if (nrSucceeded != null && nrSucceeded.length > 0) {
            nrSucceeded[0] = nrSucc;
        }
        return nomem ? -Errno.ENOMEM : nrFailed;
    }

    /**
     * unmap_and_move(): one page. Returns 0 when it was migrated (or freed from under us), -EAGAIN to
     * be retried (it stays on the from list), -ENOMEM when getNew had nothing, or another errno when
     * it failed for good (moved to retHead, still isolated). A source page whose last reference goes
     * is added to freeHead, migrate_pages()'s batch for the buddy allocator; the batch is given to
     * the buddy allocator before this task sleeps or calls a driver, so that nobody (mm:check on a
     * stopped machine) ever sees its pages in flight.
     */
    private int unmapAndMove(NewPage getNew, FreeNewPage putNew, int src, boolean force, MigrateMode mode,
            int retHead, int freeHead) {
        boolean lru = !movable.isMovable(src);
        if (map.refcount(src) == 1) {
            // page was freed from under us (only the isolation reference is left): so we are done
            if (lru) {
                map.clearFlag(src, PageFlags.PG_active);
                map.clearFlag(src, PageFlags.PG_unevictable);
            } else {
                movable.releasedWhileIsolated(src, freeHead);
            }
            migrateDone(src, 1, freeHead); // free_pages_prepare() clears what flags are left
            return MIGRATEPAGE_SUCCESS;
        }
        int dst = getNew.alloc(src, 0);
        if (dst == Mm.NO_PAGE && !lists.isEmpty(freeHead)) {
            // our own freed pages may be what is missing: drain the batch and retry once, as
            // __alloc_pages_direct_reclaim() does drain_all_pages() before it gives up
            guest.alloc.freeUnrefPageList(freeHead);
            dst = getNew.alloc(src, 0);
        }
        if (dst == Mm.NO_PAGE) {
            return -Errno.ENOMEM;
        }
        MovableOwners.Registration owner = lru ? null : ownerOf(src);
        if (!lru) {
            guest.alloc.freeUnrefPageList(freeHead); // before the driver's callbacks
        }
        int rc = lru ? unmapAndMoveLru(src, dst, force, mode, freeHead) : moveMovablePage(src, dst, force, mode);
        if (rc == MIGRATEPAGE_SUCCESS) {
            if (owner != null) {
                owner.migrated.increment();
            }
            if (!lru && movable.newPageKeepsAllocationReference()) {
                // v3.8 MIGRATEPAGE_BALLOON_SUCCESS: balloon_page_free() drops the isolation reference and
                // the balloon's; newpage keeps its allocation reference as the balloon's
                migrateDone(src, 2, freeHead);
            } else {
                // the new owner (a PTE, the driver) holds its own reference now: drop the allocation's
                guest.putPageInside(dst);
                migrateDone(src, 1, freeHead);
            }
        } else {
            if (rc != -Errno.EAGAIN) {
                lists.moveTail(src, retHead); // still isolated: the caller puts it back
            }
            if (putNew != null) {
                putNew.free(dst, 0);
            } else {
                guest.putPageInside(dst);
            }
        }
        return rc;
    }

    /**
     * migrate_folio_done(): off the migration list, not isolated any more, and the references dropped;
     * when the last goes, the page joins freeHead (folio_put() of an order-0 page puts it on a per-cpu
     * list, which free_pcppages_bulk() gives to the buddy allocator in batches).
     */
    private void migrateDone(int src, int refs, int freeHead) {
        lists.del(src);
        clearIsolated(src);
        for (int i = 0; i < refs; i++) {
            guest.putPageBatched(src, freeHead);
        }
    }

    /** lock_page() for the synchronous modes' retries; trylock_page() only in MIGRATE_ASYNC and the first passes. */
    private boolean lockSource(int src, boolean force, MigrateMode mode, int freeHead) {
        if (pageLock.trylock(src)) {
            return true;
        }
        if (!force || mode == MigrateMode.ASYNC) {
            return false;
        }
        lockPageSleeping(src, freeHead);
        return true;
    }

    /*
     * A user (LRU, anonymous) page, as __unmap_and_move() / migrate_folio_unmap() + migrate_folio_move()
     * do it, against a workload that keeps running on other threads:
     * 1. the old page is locked (the lock every migration-entry waiter sleeps on);
     * 2. try_to_migrate(): under the owner's ptl, its PTE becomes a migration entry and the mapping's
     *    mapcount and reference go; from now on the process's accesses wait for step 5;
     * 3. folio_migrate_mapping(): the old page must hold only the isolation reference now (any other
     *    holder, e.g. a racing isolator's speculative reference or an unmap whose put is still to come,
     *    makes it -EAGAIN);
     * 4. copy the content and hand over mapping, index and flags (folio_migrate_flags());
     * 5. remove_migration_ptes(): under the ptl, the entry becomes a PTE for the new page (the old one
     *    on failure), unless the process unmapped it or exited meanwhile; the new page joins the LRU;
     * 6. both pages unlocked; the caller drops the new page's allocation reference and the old page's
     *    isolation reference, which frees it.
     */
    private int unmapAndMoveLru(int src, int dst, boolean force, MigrateMode mode, int freeHead) {
        if (!lockSource(src, force, mode, freeHead)) {
            return -Errno.EAGAIN;
        }
        try {
            // "we used to have a BUG here if folio_trylock(dst) fails... just don't BUG()"
            if (!pageLock.trylock(dst)) {
                return -Errno.EAGAIN;
            }
            try {
                WorkloadProcess proc = anonOwner(src);
                int vpage = map.index[src];
                boolean unmapped = proc != null && map.mapcount(src) > 0 && proc.tryToMigrate(vpage, src);
                if (unmapped) {
                    map.refAdd(src, -1); // try_to_migrate_one(): the PTE's reference (ours keeps the page)
                }
                int rc;
                if (map.refcount(src) != 1) {
                    rc = -Errno.EAGAIN;
                } else {
                    migratePageCopy(dst, src);
                    guest.lruvec.add(dst); // folio_add_lru() before the PTEs come back
                    rc = MIGRATEPAGE_SUCCESS;
                }
                if (unmapped) {
                    proc.removeMigrationPte(vpage, src, rc == MIGRATEPAGE_SUCCESS ? dst : src);
                }
                return rc;
            } finally {
                pageLock.unlock(dst);
            }
        } finally {
            pageLock.unlock(src);
        }
    }

    /** The process whose anon_vma page->mapping names, or null (not anonymous, or the process is gone). */
    private WorkloadProcess anonOwner(int pfn) {
        int word = map.mapping[pfn];
        if ((word & MemMap.PAGE_MAPPING_FLAGS) != MemMap.PAGE_MAPPING_ANON) {
            return null;
        }
        return guest.handles.get(MemMap.mappingHandle(word)) instanceof WorkloadProcess p ? p : null;
    }

    /**
     * folio_migrate_mapping() (index, mapping) + folio_copy() + folio_migrate_flags(), both pages locked.
     * The copy is a kernel load of src and a store to dst, as any other: dst may be a free page whose frame
     * a host discarded as reported, which the store faults in before the data lands (else the host would
     * fault a zeroed frame in over the copy at the user's next access).
     */
    private void migratePageCopy(int dst, int src) {
        map.index[dst] = map.index[src];
        map.mapping[dst] = map.mapping[src];
        guest.hostFrames.access(src, "kernel load (migration copy)");
        guest.hostFrames.access(dst, "kernel store (migration copy)");
        guest.content.copy(dst, src);
        // the copied flags are read and the moved ones test-and-cleared on the old page in one atomic
        // read-modify-write of page->flags, then all of them set on the new page in one atomic OR
        int old = map.testAndClearFlags(src, MOVED_FLAGS);
        int set = old & (COPIED_FLAGS | MOVED_FLAGS);
        if (set != 0) {
            map.setFlags(dst, set);
        }
    }

    /**
     * A movable (non-LRU) page: both pages locked, then the contract's migrate step. On success the
     * driver owns dst and src is no longer isolated; on failure src stays isolated, the driver's.
     */
    private int moveMovablePage(int src, int dst, boolean force, MigrateMode mode) {
        if (!lockSource(src, force, mode, NO_BATCH)) {
            return -Errno.EAGAIN;
        }
        try {
            if (!pageLock.trylock(dst)) {
                return movable.newPageLockFailed(dst);
            }
            try {
                return movable.migrate(dst, src, mode);
            } finally {
                pageLock.unlock(dst);
            }
        } finally {
            pageLock.unlock(src);
        }
    }

    // ================================================================== helpers

    /**
     * lock_page() from inside mm code: a task that has to sleep for the lock leaves stop_machine's
     * read section while it sleeps (it is not on a CPU), so a lock holder that needs to enter mm code
     * (e.g. to free a page) is never stuck behind a stopped machine that waits for us.
     */
    void lockPageSleeping(int pfn) {
        lockPageSleeping(pfn, NO_BATCH);
    }

    /** lock_page() as above; a migrate_pages() batch of freed pages goes to the buddy allocator before the task sleeps. */
    void lockPageSleeping(int pfn, int freeHead) {
        if (pageLock.trylock(pfn)) {
            return;
        }
        if (freeHead != NO_BATCH) {
            guest.alloc.freeUnrefPageList(freeHead);
        }
        int depth = guest.stopMachine.sleep();
        try {
            pageLock.lock(pfn);
        } finally {
            guest.stopMachine.wake(depth);
        }
    }

    void warnOnce(String site, String message) {
        if (warnedOnce.add(site)) {
            int sp = site.indexOf(' ');
            debug.warn(message, site.substring(0, sp), site.substring(sp + 1));
        }
    }

    /** The page left its migration list: no longer isolated (NR_ISOLATED_ANON down for an LRU page). */
    void clearIsolated(int pfn) {
        if (lruIsolated.clear(pfn)) {
            guest.vmstat.add(VmItem.NR_ISOLATED_ANON, -1);
        }
        if (movableIsolated.clear(pfn)) {
            guest.modules.unpinIsolated(pfn); // module-ref, osgi-drain: the driver's page is back or migrated
        }
    }
}
