package org.mmlab.balloon.internal;

import java.util.List;

import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.PageType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The balloon infrastructure of the running guest: balloon_init() (core_initcall: set_movable_ops(
 * &amp;balloon_mops, PGTY_offline) under the 2025 contract) when the guest boots, and the reverse when
 * this bundle stops or the guest reboots. Built in, in the kernel: here stopping this bundle with
 * devices left is reported in dmesg, since their pages stay inflated.
 */
@Component(service = BalloonComponent.class, immediate = true)
public class BalloonComponent {
    final BalloonCore core;

    @Activate
    public BalloonComponent(@Reference MemoryManager mm, @Reference MovablePages own) {
        core = new BalloonCore(mm, own);
        if (core.contract == MigrationContract.MOVABLE_OPS_2025) {
            int rc = own.setMovableOps(core.migration.mops, PageType.OFFLINE);
            if (rc != 0) {
                String msg = "balloon: set_movable_ops(&balloon_mops, PGTY_offline) failed: " + rc
                        + " (another bundle registered movable_ops for offline pages)";
                mm.printk(msg);
                throw new IllegalStateException(msg);
            }
        }
    }

    @Deactivate
    void deactivate() {
        List<BalloonDevice> left = core.deviceList();
        for (BalloonDevice b : left) {
            core.mm.printk(String.format("balloon: %s of %s left with %d pages and %d isolated when the balloon"
                    + " infrastructure stopped", b.name(), b.bundle, b.nrPages, b.isolatedPages));
        }
        if (core.contract == MigrationContract.MOVABLE_OPS_2025) {
            core.own.setMovableOps(null, PageType.OFFLINE);
        }
    }
}
