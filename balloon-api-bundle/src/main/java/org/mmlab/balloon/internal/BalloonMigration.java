package org.mmlab.balloon.internal;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.Errno;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.VmEvent;

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
        if (b == null) {
            return false;
        }
        core.lock(b);
        try {
            if (core.own.pagePrivate(pfn) != b.id) {
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
        core.mm.listDel(pfn);
        b.nrPages--;
        b.isolatedPages++;
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
    }

    /** list_add(&amp;page->lru, &amp;b->pages) and isolated_pages--, under the device's lock. */
    void putback(BalloonDevice b, int pfn) {
        core.mm.listAdd(pfn, b.pagesHead);
        b.nrPages++;
        b.isolatedPages--;
    }

    /**
     * balloon_page_migrate(): the driver's migratepage first, with no balloon lock held; then, unless
     * it failed (other than -ENOENT), under the lock: 0 puts newpage in the balloon in page's place
     * (get_page(newpage), BALLOON_MIGRATE, managed counts fixed across zones); -ENOENT means page was
     * deflated and newpage not inflated (BALLOON_DEFLATE). Both: isolated_pages--, page finalized and
     * its balloon reference dropped; returns 0. Under 2016 the page lock of both pages is held (by the
     * migration core), as v5.0's virtballoon_migratepage assumed.
     */
    int balloonPageMigrate(int newPfn, int pfn, MigrateMode mode) {
        BalloonDevice b = balloonPageDevice(pfn);
        if (b == null) {
            core.mm.printk(String.format("WARNING: CPU: 0 at mm/balloon.c balloon_page_migrate: WARN_ON_ONCE(!b_dev_info)"
                    + " pfn %#x", pfn));
            return -Errno.EAGAIN;
        }
        int rc = b.migratepage.migratepage(b, newPfn, pfn, mode);
        if (rc < 0 && rc != -Errno.ENOENT) {
            return rc;
        }
        if (rc == 0) {
            core.mm.getPage(newPfn); // the balloon's reference
        }
        core.lock(b);
        try {
            if (rc == 0) {
                core.balloonPageInsert(b, newPfn);
                core.mm.countVmEvent(VmEvent.BALLOON_MIGRATE);
            } else {
                core.balloonPageDeflated(b, pfn);
            }
            b.isolatedPages--;
            if (core.contract == MigrationContract.MOVABLE_OPS_2025) {
                core.own.setPagePrivate(pfn, 0); // balloon_page_finalize()
            } else {
                core.balloonPageDelete(b, pfn, false);
            }
        } finally {
            core.unlock(b);
        }
        if (rc == 0 && b.adjustManagedPageCount()) {
            // the kernel fixes both zones' counts only when they differ; within one zone this nets to zero
            core.mm.adjustManagedPageCount(pfn, 1);
            core.mm.adjustManagedPageCount(newPfn, -1);
        }
        core.mm.putPage(pfn); // the balloon's reference to the old page
        return 0;
    }
}
