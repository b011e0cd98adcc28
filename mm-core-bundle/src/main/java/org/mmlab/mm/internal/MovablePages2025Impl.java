package org.mmlab.mm.internal;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.MovablePages2025;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * The 2025 movable-page service one bundle sees: set_movable_ops() and PG_movable_ops of v6.17
 * (mm/migrate.c, include/linux/page-flags.h) over {@link MovableOps2025}.
 */
final class MovablePages2025Impl extends MovablePagesImpl implements MovablePages2025 {
    private final MovableOps2025 core;

    MovablePages2025Impl(GuestMemory guest, String bundle, long bundleId) {
        super(guest, bundle, bundleId);
        this.core = (MovableOps2025) migrate.movable;
    }

    @Override
    public int setMovableOps(MovableOperations ops, PageType type) {
        MovableOwners.Registration owner = null;
        if (ops != null && (type == PageType.OFFLINE || type == PageType.ZSMALLOC)
                && core.movableOps(type) == null) {
            owner = register(MigrationContract.MOVABLE_OPS_2025, String.format("movable_ops %s (%s)",
                    type.kernelName(), ops.getClass().getSimpleName()));
        }
        int rc = core.setMovableOps(ops, type, owner);
        if (rc != 0 && owner != null) {
            owner.released = true; // lost a race with another registration
        }
        return rc;
    }

    @Override
    public void setPageMovableOps(int pfn) {
        guest.checkPfn(pfn);
        PageType t = map.pageType(pfn);
        if (guest.debug.debugVm() && t != PageType.OFFLINE && t != PageType.ZSMALLOC) {
            // PG_movable_ops aliases PG_uptodate: only typed pages may carry it. v6.18.2 says so in a comment
            // and checks nothing; the report is at SETPAGEFLAG(MovableOps, ...)
            throw guest.debug.vmBugOnPage(pfn, "!PageOffline(page) && !PageZsmalloc(page)",
                    "include/linux/page-flags.h:1135", "v6.18.2");
        }
        map.setFlag(pfn, PageFlags.PG_movable_ops);
    }

    @Override
    public boolean pageHasMovableOps(int pfn) {
        guest.checkPfn(pfn);
        return core.pageHasMovableOps(pfn);
    }

    @Override
    public boolean pageMovableOpsIsolated(int pfn) {
        guest.checkPfn(pfn);
        return map.testFlag(pfn, PageFlags.PG_movable_ops_isolated);
    }
}
