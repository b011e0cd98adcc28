package org.mmlab.vmware.internal;

import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_SUCCESS;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.mm.Errno;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.InjectionPoints;

/**
 * Models vmballoon_migratepage() of drivers/misc/vmw_balloon.c (compaction support since v5.1, commit
 * 83a8afa72e9c; 4 KiB pages only: 2 MiB pages are not movable). Rules:
 * <ol type="i">
 * <li>conf_sem is only try-locked: a reset holds it for writing, so migration answers -EAGAIN and is
 *     retried.</li>
 * <li>Under comm_lock the old page is UNLOCKed first: "otherwise the hypervisor may tell us that it has
 *     enough memory and the new page is not needed". If the host refuses, -EBUSY: the page stays the
 *     balloon's and is put back.</li>
 * <li>Then the new page is LOCKed. If the host refuses it, the balloon has shrunk by a page (b->size--):
 *     what then happens to the old page is the {@link MigrateVersion} the device runs.</li>
 * <li>On success the new page replaces the old one: before the 2026 series the driver did that
 *     bookkeeping itself (2016: balloon_page_delete() of the old page, get_page() and balloon_page_insert()
 *     of the new, isolated_pages--); under the lab's 2025 contract the balloon infrastructure does it
 *     after the return, as the 2026 series centralised it (the end state is the one v6.18.2 reached).</li>
 * </ol>
 */
final class VmwMigrate {
    private final VmwBalloon b;

    VmwMigrate(VmwBalloon b) {
        this.b = b;
    }

    int vmballoonMigratepage(BalloonDevInfo bDevInfo, int newPfn, int pfn, MigrateMode mode) {
        if (!b.confSem.readLock().tryLock()) {
            return -Errno.EAGAIN; // an ongoing configuration change (a reset): try again
        }
        b.mm.lockdepAcquire(InjectionPoints.LOCK_VMW_CONF_SEM, true);
        try {
            long status;
            b.pages.lockComm();
            try {
                status = lockOne(pfn, VmwPages.Op.VMW_BALLOON_DEFLATE);
                if (status != VMW_BALLOON_SUCCESS) {
                    return -Errno.EBUSY; // the migration mechanism should not retry
                }
                b.lab.injectionPoint(InjectionPoints.VMW_MIGRATE_UNLOCKED, pfn);
                status = lockOne(newPfn, VmwPages.Op.VMW_BALLOON_INFLATE);
                if (status != VMW_BALLOON_SUCCESS) {
                    b.size.decrementAndGet(); // the old page deflated, the new one not inflated
                }
            } finally {
                b.pages.unlockComm(); // v6.18.2 decrements b->size after it; the lab keeps it with the host's frames
            }
            if (status != VMW_BALLOON_SUCCESS) {
                return refused(bDevInfo, pfn);
            }
            if (b.balloons.contract() != MigrationContract.MOVABLE_OPS_2025) {
                b.balloons.balloonPageMigrated(bDevInfo, newPfn, pfn);
            }
            return 0;
        } finally {
            b.mm.lockdepRelease(InjectionPoints.LOCK_VMW_CONF_SEM);
            b.confSem.readLock().unlock();
        }
    }

    /** One 4 KiB page LOCKed or UNLOCKed through the native interface (the old page is isolated: no list). */
    private long lockOne(int page, VmwPages.Op op) {
        b.pages.vmballoonAddPage(0, page);
        long status = b.pages.vmballoonLockOp(1, PageSize.VMW_BALLOON_4K_PAGE, op);
        if (status == VMW_BALLOON_SUCCESS) {
            status = b.pages.vmballoonStatusPage(0, new int[1]);
        }
        return status;
    }

    /** Rule iii: the host took the old page back and refused the new one. */
    private int refused(BalloonDevInfo bDevInfo, int pfn) {
        switch (b.migrateVersion) {
            case ENOENT:
                return -Errno.ENOENT; // the infrastructure deflates the old page (2026)
            case SUCCESS:
                b.balloons.balloonPageDeflatedInMigration(bDevInfo, pfn);
                return 0; // 4ba5a8a7faa6: "indicate success when effectively deflating"
            default:
                b.balloons.balloonPageDeflatedInMigration(bDevInfo, pfn);
                return -Errno.EBUSY; // v5.1 to v6.18-rc2: "report failure"
        }
    }
}
