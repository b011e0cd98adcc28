package org.mmlab.balloon.internal;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.Errno;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MovableOperations;

/**
 * Models the migration half of mm/balloon.c: balloon_page_isolate(), balloon_page_putback() and
 * balloon_page_migrate(), reached as balloon_mops (2025, set_movable_ops(&amp;balloon_mops, PGTY_offline))
 * or balloon_aops (2016, the inode mapping's a_ops). The 2012 hooks are {@link Balloon2012Hooks}.
 * The driver's migratepage only talks to its host; the list, reference and counter work is done
 * here, in every contract, as the 2026 series centralised it.
 */
final class BalloonMigration {
    private final BalloonCore core;
    /** balloon_mops. */
    final MovableOperations mops = new MovableOperations() {
        @Override
        public boolean isolatePage(int pfn, int isolateMode) {
            return balloonPageIsolate(pfn);
        }

        @Override
        public int migratePage(int dstPfn, int srcPfn, MigrateMode mode) {
            return balloonPageMigrate(dstPfn, srcPfn, mode);
        }

        @Override
        public void putbackPage(int pfn) {
            balloonPagePutback(pfn);
        }

        @Override
        public String toString() {
            return "balloon_mops";
        }
    };
    /** balloon_aops (v4.8 to v5.x). */
    final AddressSpaceOperations aops2016 = new AddressSpaceOperations() {
        @Override
        public boolean isolatePage(int pfn, int isolateMode) {
            return balloonPageIsolate(pfn);
        }

        @Override
        public int migratepage(AddressSpace mapping, int newPfn, int pfn, MigrateMode mode) {
            return balloonPageMigrate(newPfn, pfn, mode);
        }

        @Override
        public void putbackPage(int pfn) {
            balloonPagePutback(pfn);
        }

        @Override
        public String toString() {
            return "balloon_aops";
        }
    };

    BalloonMigration(BalloonCore core) {
        this.core = core;
    }

    /** balloon_page_device(): page->private (2016, 2025). */
    private BalloonDevice balloonPageDevice(int pfn) {
        int id = core.own.pagePrivate(pfn);
        return id == 0 ? null : core.deviceById(id);
    }

    /** balloon_page_isolate(): false if the page was deflated meanwhile (page->private clear). */
    boolean balloonPageIsolate(int pfn) {
        BalloonDevice b = balloonPageDevice(pfn);
        if (b == null || b.draining) {
            return false; // osgi-drain: the driver is going, its pages stay where they are
        }
        if (!core.pinDriver(b)) {
            return false; // module-ref: try_module_get() of a going driver failed
        }
        core.lock(b);
        try {
            if (core.own.pagePrivate(pfn) != b.id) {
                core.unpinDriver(b);
                return false; // deflated between the lookup and the lock
            }
            isolate(b, pfn);
            return true;
        } finally {
            core.unlock(b);
        }
    }

    /** list_del(&amp;page->lru) and isolated_pages++, under the device's lock. */
    void isolate(BalloonDevice b, int pfn) {
        core.listDel(b, pfn);
        b.isolatedPages++;
        b.migrationHolds++;
    }

    /** balloon_page_putback(): an isolated page cannot have been deflated, so it still has a device. */
    void balloonPagePutback(int pfn) {
        BalloonDevice b = balloonPageDevice(pfn);
        if (b == null) {
            core.mm.printk(String.format("WARNING: CPU: 0 at mm/balloon.c balloon_page_putback: WARN_ON_ONCE(!b_dev_info)"
                    + " pfn %#x", pfn));
            return;
        }
        core.lock(b);
        try {
            putback(b, pfn);
        } finally {
            core.unlock(b);
        }
        core.unpinDriver(b);
    }

    /** list_add(&amp;page->lru, &amp;b->pages) and isolated_pages--, under the device's lock. */
    void putback(BalloonDevice b, int pfn) {
        core.listAdd(b, pfn);
        b.isolatedPages--;
        b.migrationHolds--;
    }

    /**
     * balloon_page_migrate(): the driver's migratepage first, with no balloon lock held; then, unless
     * it failed (other than -ENOENT), the bookkeeping ({@link BalloonCore#accountMigration}); returns 0.
     * Under 2016 the driver did the bookkeeping itself, inside its callback (balloonPageMigrated()),
     * with both page locks held by the migration core, as v5.0's virtballoon_migratepage did.
     */
    int balloonPageMigrate(int newPfn, int pfn, MigrateMode mode) {
        BalloonDevice b = balloonPageDevice(pfn);
        if (b == null) {
            core.mm.printk(String.format("WARNING: CPU: 0 at mm/balloon.c balloon_page_migrate: WARN_ON_ONCE(!b_dev_info)"
                    + " pfn %#x", pfn));
            return -Errno.EAGAIN;
        }
        int rc = core.callMigratepage(b, newPfn, pfn, mode);
        if (b.deflatedByDriver.remove(pfn)) {
            // vmw_balloon v5.1 to v6.18: the driver deflated the page itself; 0 frees it as migrated, an error
            // (-EBUSY before 4ba5a8a7faa6) leaves it isolated, to be put back to no device
            core.unpinDriver(b);
            return rc == -Errno.ENOENT ? 0 : rc;
        }
        if (rc < 0 && rc != -Errno.ENOENT) {
            return rc;
        }
        if (rc == -Errno.ENOENT || !core.accountedByDriver(b, pfn)) {
            core.accountMigration(b, newPfn, pfn, rc == 0);
        }
        core.migrated(b);
        core.unpinDriver(b);
        return 0;
    }
}
