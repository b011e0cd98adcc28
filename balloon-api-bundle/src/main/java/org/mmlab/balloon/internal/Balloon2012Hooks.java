package org.mmlab.balloon.internal;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.BalloonHooks2012;
import org.mmlab.mm.Errno;
import org.mmlab.mm.MigrateMode;

/**
 * Models one device's side of mm/balloon_compaction.c in v3.8 (2012): the hooks
 * __isolate_balloon_page() and __putback_balloon_page() that the migration core calls with the page
 * locked and a reference held, and the balloon mapping's a_ops->migratepage (v3.8's
 * virtballoon_migratepage bookkeeping, around the driver's host part).
 */
final class Balloon2012Hooks implements BalloonHooks2012, AddressSpaceOperations {
    private final BalloonCore core;
    private final BalloonDevice b;

    Balloon2012Hooks(BalloonCore core, BalloonDevice b) {
        this.core = core;
        this.b = b;
    }

    /** __isolate_balloon_page(): list_del and isolated_pages++ under pages_lock. */
    @Override
    public void isolatePage(int pfn) {
        core.lock(b);
        try {
            core.migration.isolate(b, pfn);
        } finally {
            core.unlock(b);
        }
    }

    /** __putback_balloon_page(): list_add and isolated_pages-- under pages_lock. */
    @Override
    public void putbackPage(int pfn) {
        core.lock(b);
        try {
            core.migration.putback(b, pfn);
        } finally {
            core.unlock(b);
        }
    }

    /**
     * a_ops->migratepage, both pages locked by the core: v3.8's virtballoon_migratepage, which did the
     * bookkeeping itself (balloonPageMigrated(): newpage joins the balloon, page->mapping set under
     * pages_lock by rule i, and page leaves it) before telling its host. The core then drops page's two
     * references and keeps newpage's allocation reference as the balloon's. v3.8 knew no -ENOENT: a
     * driver answering it gets a WARN and -EBUSY (put back).
     */
    @Override
    public int migratepage(AddressSpace mapping, int newPfn, int pfn, MigrateMode mode) {
        int rc = core.callMigratepage(b, newPfn, pfn, mode);
        if (rc == -Errno.ENOENT) {
            core.mm.printk(String.format("WARNING: CPU: 0 at mm/balloon_compaction.c: %s answered -ENOENT for"
                    + " pfn %#x, which the 2012 contract does not know: -EBUSY", b.name(), pfn));
            return -Errno.EBUSY;
        }
        if (rc != 0) {
            return rc;
        }
        if (!core.accountedByDriver(b, pfn)) {
            core.accountMigration(b, newPfn, pfn, true);
        }
        core.migrated(b);
        return 0;
    }

    @Override
    public String toString() {
        return "balloon_aops of " + b.name();
    }
}
