package org.mmlab.mm.internal;

import org.mmlab.mm.Errno;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;

/**
 * Models the non-LRU movable page migration of v4.8 (Minchan Kim, 2016, commit bda807d44454; seed
 * 001's review): mm/migrate.c's isolate_movable_page(), move_to_new_page() and putback of a
 * __PageMovable() page, and mm/compaction.c's PageMovable(). Any driver marks its pages with
 * __SetPageMovable(page, mapping); migration reaches the driver's a_ops through page->mapping, and the
 * VM alone sets and clears PG_isolated.
 *
 * <p>The rules of Documentation/vm/page_migration (v4.8): __SetPageMovable() and __ClearPageMovable()
 * under the page lock; PageMovable() is only meaningful under it, __PageMovable() is a lockless hint.
 */
final class NonLruMovable2016 implements MovableContract {
    private final Migrate migrate;
    private final GuestMemory guest;
    private final MemMap map;

    NonLruMovable2016(Migrate migrate) {
        this.migrate = migrate;
        this.guest = migrate.guest;
        this.map = guest.map;
    }

    @Override
    public MigrationContract contract() {
        return MigrationContract.NON_LRU_2016;
    }

    /** __PageMovable(): (page->mapping &amp; PAGE_MAPPING_FLAGS) == PAGE_MAPPING_MOVABLE. */
    boolean pageMovableHint(int pfn) {
        return (map.mapping[pfn] & MemMap.PAGE_MAPPING_FLAGS) == MemMap.PAGE_MAPPING_MOVABLE;
    }

    @Override
    public boolean pageHasMovableOps(int pfn, String function) {
        return pageMovableHint(pfn);
    }

    /** PageIsolated() (PG_isolated, an alias of PG_reclaim). */
    @Override
    public boolean pageMovableIsolated(int pfn) {
        return map.testFlag(pfn, PageFlags.PG_isolated);
    }

    /**
     * page_mapping() of a movable page: its address_space, or null once __ClearPageMovable() ran; read
     * by kernel code in function (checked by KASAN), or by the lab (function null, unreported).
     */
    AddressSpaceImpl movableMapping(int pfn, String function) {
        int word = map.mapping[pfn];
        if ((word & MemMap.PAGE_MAPPING_FLAGS) != MemMap.PAGE_MAPPING_MOVABLE || MemMap.mappingHandle(word) == 0) {
            return null;
        }
        return function == null ? guest.slab.peek(word) : guest.slab.use(word, function);
    }

    /** PageMovable(): VM_BUG_ON_PAGE(!PageLocked(page)); __PageMovable() and the a_ops have isolate_page. */
    boolean pageMovableLocked(int pfn, String function) {
        if (guest.debug.debugVm() && !map.testFlag(pfn, PageFlags.PG_locked)) {
            throw guest.debug.vmBugOnPage(pfn, "!PageLocked(page)", "mm/compaction.c:102", "v4.8.15");
        }
        if (!pageMovableHint(pfn)) {
            return false;
        }
        AddressSpaceImpl m = movableMapping(pfn, function);
        return m != null && m.hasIsolatePage;
    }

    /*
     * isolate_movable_page() (seed 001's order): get_page_unless_zero(), trylock_page(), then under the
     * page lock: PageMovable() (the owner has not released it: __ClearPageMovable() runs under the page
     * lock) and !PageIsolated() (nobody else is migrating it), then a_ops->isolate_page(), then
     * __SetPageIsolated() - the VM's bit, never the driver's. (4.10 added a lockless __PageMovable() test
     * before trylock_page(), so that a page just allocated is never locked by a stranger; v4.8 has none.)
     */
    @Override
    public boolean isolateLocked(int pfn, int isolateMode) {
        if (!pageMovableLocked(pfn, "isolate_movable_page") || map.testFlag(pfn, PageFlags.PG_isolated)) {
            return false;
        }
        AddressSpaceImpl m = movableMapping(pfn, "isolate_movable_page");
        if (!guest.modules.pinForIsolation(m.owner.bundleId, pfn)) {
            return false;
        }
        boolean isolated;
        try (ModuleCall c = guest.modules.enter(m.owner.bundleId, InjectionPoints.CALL_A_OPS_ISOLATE_PAGE, pfn)) {
            isolated = m.aOps.isolatePage(pfn, isolateMode);
        }
        if (!isolated) {
            guest.modules.unpinIsolated(pfn);
            return false;
        }
        if (map.testFlag(pfn, PageFlags.PG_isolated)) {
            migrate.warnOnce("mm/migrate.c isolate_movable_page", "WARN_ON_ONCE(PageIsolated(page)): the"
                    + " driver set PG_isolated itself, pfn " + Integer.toHexString(pfn));
        }
        map.setFlag(pfn, PageFlags.PG_isolated);
        migrate.markIsolatedMovable(pfn);
        m.owner.isolations.increment();
        return true;
    }

    /** "We can use __PageMovable because LRU page's mapping cannot have PAGE_MAPPING_MOVABLE." */
    @Override
    public boolean isMovable(int pfn) {
        return pageMovableHint(pfn);
    }

    /*
     * putback_movable_pages() for a __PageMovable() page: lock_page(); if the owner still has it
     * (PageMovable()), a_ops->putback_page(); either way __ClearPageIsolated(); unlock; put_page(),
     * which frees a page its owner released while it was isolated.
     */
    @Override
    public void putback(int pfn) {
        if (guest.debug.debugVm() && !map.testFlag(pfn, PageFlags.PG_isolated)) {
            throw guest.debug.vmBugOnPage(pfn, "!PageIsolated(page)", "mm/migrate.c:179", "v4.8.15");
        }
        migrate.lockPageSleeping(pfn);
        try {
            if (pageMovableLocked(pfn, "putback_movable_pages")) {
                AddressSpaceImpl m = movableMapping(pfn, "putback_movable_pages");
                try (ModuleCall c = guest.modules.enter(m.owner.bundleId, InjectionPoints.CALL_A_OPS_PUTBACK_PAGE, pfn)) {
                    m.aOps.putbackPage(pfn);
                }
                m.owner.putBack.increment();
            }
            map.clearFlag(pfn, PageFlags.PG_isolated);
            migrate.clearIsolated(pfn);
        } finally {
            guest.pageLock.unlock(pfn);
        }
        guest.putPageInside(pfn);
    }

    /** unmap_and_move(): a page its owner released (!PageMovable()) loses PG_isolated before it is freed. */
    @Override
    public void releasedWhileIsolated(int src, int freeHead) {
        if (!pageMovableHint(src)) {
            return;
        }
        migrate.lockPageSleeping(src, freeHead);
        try {
            if (!pageMovableLocked(src, "unmap_and_move")) {
                map.clearFlag(src, PageFlags.PG_isolated);
            }
        } finally {
            guest.pageLock.unlock(src);
        }
    }

    /**
     * v4.8.15 __unmap_and_move(): "We used to have a BUG here if trylock_page(newpage) fails ... just
     * don't BUG()": the page is retried (-EAGAIN).
     */
    @Override
    public int newPageLockFailed(int dst) {
        return -Errno.EAGAIN;
    }

    /*
     * move_to_new_page() for a non-LRU page: VM_BUG_ON_PAGE(!PageIsolated(page)). If the owner released
     * the page after isolation (!PageMovable(): it ran __ClearPageMovable()), the migration counts as a
     * success without the driver, and the page is freed; otherwise a_ops->migratepage() with both pages
     * locked. On success __ClearPageIsolated(page).
     */
    @Override
    public int migrate(int dst, int src, MigrateMode mode) {
        if (guest.debug.debugVm() && !map.testFlag(src, PageFlags.PG_isolated)) {
            throw guest.debug.vmBugOnPage(src, "!PageIsolated(page)", "mm/migrate.c:880", "v4.8.15");
        }
        int rc;
        if (!pageMovableLocked(src, "move_to_new_page")) {
            rc = Migrate.MIGRATEPAGE_SUCCESS;
        } else {
            AddressSpaceImpl m = movableMapping(src, "move_to_new_page");
            try (ModuleCall c = guest.modules.enter(m.owner.bundleId, InjectionPoints.CALL_A_OPS_MIGRATEPAGE, src)) {
                rc = m.aOps.migratepage(m, dst, src, mode);
            }
            if (rc == Migrate.MIGRATEPAGE_SUCCESS && !map.testFlag(src, PageFlags.PG_isolated)) {
                migrate.warnOnce("mm/migrate.c move_to_new_page", "WARN_ON_ONCE(rc == MIGRATEPAGE_SUCCESS &&"
                        + " !PageIsolated(page)): the driver cleared PG_isolated, pfn " + Integer.toHexString(src));
            }
        }
        if (rc == Migrate.MIGRATEPAGE_SUCCESS && pageMovableHint(src)) {
            map.clearFlag(src, PageFlags.PG_isolated);
        }
        return rc;
    }

    @Override
    public MovableOwners.Registration ownerOf(int pfn) {
        AddressSpaceImpl m = movableMapping(pfn, null);
        return m == null ? null : m.owner;
    }
}
