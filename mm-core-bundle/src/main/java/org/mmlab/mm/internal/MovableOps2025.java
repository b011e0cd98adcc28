package org.mmlab.mm.internal;

import org.mmlab.mm.Errno;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;

/**
 * Models movable_ops of v6.17 (David Hildenbrand, 2025, with the 2025-08 fix): mm/migrate.c's
 * set_movable_ops(), isolate_movable_ops_page(), migrate_movable_ops_page() and
 * putback_movable_ops_page(). The ops come from the page type (PGTY_offline, PGTY_zsmalloc), not from
 * page->mapping; PG_movable_ops marks a page that has them and PG_movable_ops_isolated is the
 * migration core's alone.
 */
final class MovableOps2025 implements MovableContract {
    /** A page type's movable_ops as set_movable_ops() registered them, with their owner. */
    record OpsRegistration(MovableOperations ops, PageType type, MovableOwners.Registration owner) {
    }

    private final Migrate migrate;
    private final GuestMemory guest;
    private final MemMap map;

    /*
     * Static pointers set by set_movable_ops(), one per page type that may have movable_ops. "We only
     * allow for selected types and don't handle concurrent registration attempts yet": no RCU, no
     * reference count; set_movable_ops(NULL) while pages of the type are isolated leaves migration with
     * a NULL pointer, as in the kernel.
     */
    private volatile OpsRegistration offlineMovableOps;
    private volatile OpsRegistration zsmallocMovableOps;

    MovableOps2025(Migrate migrate) {
        this.migrate = migrate;
        this.guest = migrate.guest;
        this.map = guest.map;
    }

    @Override
    public MigrationContract contract() {
        return MigrationContract.MOVABLE_OPS_2025;
    }

    /** page_has_movable_ops(): PG_movable_ops on a page of a type that may have movable_ops. */
    boolean pageHasMovableOps(int pfn) {
        return map.testFlag(pfn, PageFlags.PG_movable_ops)
                && (map.hasType(pfn, PageType.OFFLINE) || map.hasType(pfn, PageType.ZSMALLOC));
    }

    @Override
    public boolean pageHasMovableOps(int pfn, String function) {
        return pageHasMovableOps(pfn);
    }

    /** PageMovableOpsIsolated() (PG_movable_ops_isolated, an alias of PG_reclaim). */
    @Override
    public boolean pageMovableIsolated(int pfn) {
        return map.testFlag(pfn, PageFlags.PG_movable_ops_isolated);
    }

    /** page_movable_ops(): the ops registered for the page's type, or null. */
    OpsRegistration pageMovableOps(int pfn) {
        if (map.hasType(pfn, PageType.OFFLINE)) {
            return offlineMovableOps;
        }
        if (map.hasType(pfn, PageType.ZSMALLOC)) {
            return zsmallocMovableOps;
        }
        return null;
    }

    /*
     * set_movable_ops(ops, type) (2025-08): only PGTY_offline and PGTY_zsmalloc may have movable_ops
     * (-EINVAL otherwise); ops may be set once (-EBUSY while set); NULL unregisters (zsmalloc's
     * zs_exit()). Pages keep their type and PG_movable_ops meanwhile: unregistering while such pages
     * exist is the driver's bug, which migration then hits as a NULL pointer.
     */
    synchronized int setMovableOps(MovableOperations ops, PageType type, MovableOwners.Registration owner) {
        if (type != PageType.OFFLINE && type != PageType.ZSMALLOC) {
            return -Errno.EINVAL;
        }
        OpsRegistration cur = type == PageType.OFFLINE ? offlineMovableOps : zsmallocMovableOps;
        if (ops != null && cur != null) {
            return -Errno.EBUSY;
        }
        OpsRegistration next = ops == null ? null : new OpsRegistration(ops, type, owner);
        if (ops == null && cur != null) {
            cur.owner().released = true;
        }
        if (type == PageType.OFFLINE) {
            offlineMovableOps = next;
        } else {
            zsmallocMovableOps = next;
        }
        return 0;
    }

    /** The ops registered for a type now (for mm:migrate-stats), or null. */
    MovableOperations movableOps(PageType type) {
        OpsRegistration r = type == PageType.OFFLINE ? offlineMovableOps
                : type == PageType.ZSMALLOC ? zsmallocMovableOps : null;
        return r == null ? null : r.ops();
    }

    @Override
    public boolean skipsTailPages() {
        return true;
    }

    /**
     * isolate_movable_ops_page(): folio_get_nontail_page() (a reference, never on a tail page);
     * page_has_movable_ops() before the lock ("once a page has movable_ops it will stay that way until
     * freed", and the owner's non-atomic flag updates of a new page must not meet a stranger's lock).
     */
    @Override
    public boolean isolateBeforeLock(int pfn) {
        return pageHasMovableOps(pfn);
    }

    /** Under folio_trylock(): !PageMovableOpsIsolated(); mops->isolate_page(); SetPageMovableOpsIsolated(). */
    @Override
    public boolean isolateLocked(int pfn, int isolateMode) {
        if (map.testFlag(pfn, PageFlags.PG_movable_ops_isolated)) {
            return false;
        }
        OpsRegistration r = pageMovableOps(pfn);
        if (r == null) {
            migrate.warnOnce("mm/migrate.c isolate_movable_ops_page", "WARN_ON_ONCE(!mops): pfn "
                    + Integer.toHexString(pfn) + " has movable_ops, but none are registered for its type");
            return false;
        }
        if (!guest.modules.pinForIsolation(r.owner().bundleId, pfn)) {
            return false;
        }
        boolean isolated;
        try (ModuleCall c = guest.modules.enter(r.owner().bundleId, InjectionPoints.CALL_MOPS_ISOLATE_PAGE, pfn)) {
            isolated = r.ops().isolatePage(pfn, isolateMode);
        }
        if (!isolated) {
            guest.modules.unpinIsolated(pfn);
            return false;
        }
        if (map.testFlag(pfn, PageFlags.PG_movable_ops_isolated)) {
            migrate.warnOnce("mm/migrate.c isolate_movable_ops_page", "VM_WARN_ON_ONCE_PAGE("
                    + "PageMovableOpsIsolated(page)): the driver used the isolated flag, pfn "
                    + Integer.toHexString(pfn));
        }
        map.setFlag(pfn, PageFlags.PG_movable_ops_isolated);
        migrate.markIsolatedMovable(pfn);
        r.owner().isolations.increment();
        return true;
    }

    @Override
    public boolean isMovable(int pfn) {
        return pageHasMovableOps(pfn);
    }

    /*
     * putback_movable_ops_page(): folio_lock(); mops->putback_page(); ClearPageMovableOpsIsolated();
     * unlock; folio_put() ("after the page was putback, it might get freed instantly").
     */
    @Override
    public void putback(int pfn) {
        if (!map.testFlag(pfn, PageFlags.PG_movable_ops_isolated)) {
            migrate.warnOnce("mm/migrate.c putback_movable_ops_page", "VM_WARN_ON_ONCE_PAGE("
                    + "!PageMovableOpsIsolated(page)), pfn " + Integer.toHexString(pfn));
        }
        migrate.lockPageSleeping(pfn);
        try {
            OpsRegistration r = pageMovableOps(pfn);
            if (r == null) {
                throw nullMovableOps(pfn, "putback_movable_ops_page");
            }
            try (ModuleCall c = guest.modules.enter(r.owner().bundleId, InjectionPoints.CALL_MOPS_PUTBACK_PAGE, pfn)) {
                r.ops().putbackPage(pfn);
            }
            r.owner().putBack.increment();
            map.clearFlag(pfn, PageFlags.PG_movable_ops_isolated);
            migrate.clearIsolated(pfn);
        } finally {
            guest.pageLock.unlock(pfn);
        }
        guest.putPageInside(pfn);
    }

    /** migrate_movable_ops_page(): a new page someone else holds locked is simply retried. */
    @Override
    public int newPageLockFailed(int dst) {
        return -Errno.EAGAIN;
    }

    /*
     * migrate_movable_ops_page(): mops->migrate_page(dst, src, mode); on success the owners of src and
     * dst are swapped and src is un-isolated (ClearPageMovableOpsIsolated); on failure ownership is
     * unchanged and src stays isolated, to be retried or put back.
     */
    @Override
    public int migrate(int dst, int src, MigrateMode mode) {
        OpsRegistration r = pageMovableOps(src);
        if (r == null) {
            throw nullMovableOps(src, "migrate_movable_ops_page");
        }
        int rc;
        try (ModuleCall c = guest.modules.enter(r.owner().bundleId, InjectionPoints.CALL_MOPS_MIGRATE_PAGE, src)) {
            rc = r.ops().migratePage(dst, src, mode);
        }
        if (rc == Migrate.MIGRATEPAGE_SUCCESS) {
            map.clearFlag(src, PageFlags.PG_movable_ops_isolated);
        }
        return rc;
    }

    @Override
    public MovableOwners.Registration ownerOf(int pfn) {
        if (!pageHasMovableOps(pfn)) {
            return null;
        }
        OpsRegistration r = pageMovableOps(pfn);
        return r == null ? null : r.owner();
    }

    /** Following a NULL page_movable_ops(): the type's ops were unregistered while its pages lived. */
    private KernelBug nullMovableOps(int pfn, String function) {
        return guest.debug.vmBugOnPage(pfn, "page_movable_ops(page) == NULL in " + function + " (set_movable_ops(NULL)"
                + " while pages of the type exist)", "mm/migrate.c");
    }
}
