package org.mmlab.vmware;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Every VMware balloon running now (one per factory configuration of org.mmlab.vmware.balloon), and
 * what its simulated hypervisor can be made to do. A name no device has is an IllegalArgumentException
 * that names the devices; nothing changes.
 */
@ProviderType
public interface VmwBalloons {
    /** The factory PID whose configurations make devices. */
    String FACTORY_PID = "org.mmlab.vmware.balloon";

    /** A snapshot of every device, by device name, also of one being removed (until its exit returned). */
    List<VmwBalloonState> devices();

    /** A snapshot of one device, if it runs or is being removed. */
    Optional<VmwBalloonState> device(String name);

    /**
     * The hypervisor sets a new target, in 4 KiB frames (any number, more than the guest has too), and
     * rings the guest's doorbell unless it was told to drop it; it does not wait for the guest.
     */
    void setHostTarget(String name, long frames);

    /**
     * The hypervisor behaves so from now on: "normal", "refuse PCT" (refuses that share of the pages
     * the guest locks), "busy" (answers BUSY to every LOCK and UNLOCK), "no-doorbell" (changes its target without ringing), or
     * does "reset" once (gives every frame back and answers RESET until the guest starts again).
     *
     * @throws IllegalArgumentException for anything else, saying what is allowed
     */
    void setHostBehaviour(String name, String behaviour);

    /** The debugfs file vmmemctl of the device, as vmballoon_debug_show() prints it. */
    String vmmemctl(String name);
}
