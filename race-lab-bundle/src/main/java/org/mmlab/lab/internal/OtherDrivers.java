package org.mmlab.lab.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;

/**
 * The balloon drivers a virtio race does not use (VMware, Hyper-V, XEN), set aside for its batch: each reboot
 * of the guest would remove their devices and probe them again, their simulated hosts' handshakes included
 * (about 7 % of a run's CPU and 5 ms of its wait in races 1 and 10), for devices no run touches. Their bundles
 * are stopped transiently (rmmod; the framework still starts them next time) and started again when the batch
 * ends, in the guest the batch leaves, as the in-framework tests run every race without their devices. Race 8
 * needs it too: VMware's worker resets its protocol after every probe and allocates its batch page with
 * GFP_KERNEL on its own time; while a run's task held every free page, that allocation went into out_of_memory()
 * outside the run, and the OOM notifier chain deflated virtio's device 0 there.
 */
final class OtherDrivers {
    static final List<String> BUNDLES = List.of("vmware-bundle", "hyperv-bundle", "xen-bundle");

    /** The bundles stopped, to start again; empty when none are set aside. */
    private final List<Bundle> aside = new ArrayList<>();

    /** Stops those that run (once a batch: a second call finds them stopped). */
    void setAside(LabContext lab) throws BundleException {
        for (String bsn : BUNDLES) {
            Bundle b = lab.installed(bsn);
            if (b != null && b.getState() == Bundle.ACTIVE) {
                b.stop(Bundle.STOP_TRANSIENT);
                aside.add(b);
            }
        }
    }

    /** Starts again those set aside that are still installed and stopped. */
    void putBack() throws BundleException {
        BundleException failed = null;
        for (Bundle b : aside) {
            try {
                if (b.getState() == Bundle.RESOLVED) {
                    b.start(Bundle.START_TRANSIENT);
                }
            } catch (BundleException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        aside.clear();
        if (failed != null) {
            throw failed;
        }
    }
}
