package org.mmlab.lab.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;

/**
 * Balloon drivers other than the race's, unloaded for a batch and loaded again at its end (a guest runs one
 * balloon driver; the lab loads several). VMware's: its worker resets the protocol after every probe, so after
 * each reboot, and vmballoon_init_batching() allocates the batch page with GFP_KERNEL on the worker's own time.
 * While a run's task held every free page (race 8), that allocation went into out_of_memory() outside the run
 * and the OOM notifier chain deflated virtio's device 0 there. Hyper-V's and XEN's drivers stay: their unload
 * loses the pages in their balloons (StormTarget.unloadLosesPages), and they allocate only towards a new target.
 */
final class OtherDriversAside {
    static final List<String> DRIVERS = List.of("vmware-bundle");

    /** The drivers this unloaded, to load again. */
    private final List<Bundle> unloaded = new ArrayList<>();

    /** Unloads (stops, transiently) each of {@link #DRIVERS} that runs. Idempotent. */
    void unload(LabContext lab) throws Exception {
        for (String bsn : DRIVERS) {
            Bundle b = lab.installed(bsn);
            if (b != null && b.getState() == Bundle.ACTIVE) {
                b.stop(Bundle.STOP_TRANSIENT);
                unloaded.add(b);
            }
        }
    }

    /** Loads again what {@link #unload} unloaded: its devices are probed from their configurations. */
    void loadAgain() throws Exception {
        for (Bundle b : unloaded) {
            if (b.getState() == Bundle.RESOLVED) {
                b.start(Bundle.START_TRANSIENT);
            }
        }
        unloaded.clear();
    }
}
