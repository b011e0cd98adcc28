package org.mmlab.lab.internal;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The lab's DS components that are up (ACTIVE or SATISFIED), as SCR's runtime tells. A reboot of the guest
 * takes down every component that holds it (the balloon infrastructure, the drivers' devices, free page
 * hinting), and SCR brings them back on Configuration Admin's thread after the reboot's promise is kept; a
 * batch's end also starts the drivers it set aside: it waits for them, so that the statement after lab:race
 * finds the lab as it was (`lab:race 10; balloon:list` said "command not found" in 2 of 4 tries while the
 * commands still went and came back with the guest).
 */
final class LabComponents implements AutoCloseable {
    /** A courtesy, not a check: a component that stays down says so itself when used. */
    private static final long SETTLE_MS = 5_000;

    private final ServiceTracker<ServiceComponentRuntime, ServiceComponentRuntime> scr;

    LabComponents(BundleContext context) {
        scr = new ServiceTracker<>(context, ServiceComponentRuntime.class, null);
        scr.open();
    }

    /** How many component configurations are up now (0 without SCR). */
    int up() {
        ServiceComponentRuntime runtime = scr.getService();
        if (runtime == null) {
            return 0;
        }
        int n = 0;
        for (ComponentDescriptionDTO d : runtime.getComponentDescriptionDTOs()) {
            for (ComponentConfigurationDTO c : runtime.getComponentConfigurationDTOs(d)) {
                n += c.state == ComponentConfigurationDTO.ACTIVE || c.state == ComponentConfigurationDTO.SATISFIED ? 1 : 0;
            }
        }
        return n;
    }

    /** Waits, at most {@link #SETTLE_MS}, until at least n are up again. */
    void awaitUp(int n) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_MS * 1_000_000L;
        while (up() < n && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    @Override
    public void close() {
        scr.close();
    }
}
