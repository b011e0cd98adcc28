package org.mmlab.hyperv;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Every Hyper-V balloon running now (one per factory configuration of org.mmlab.hyperv.balloon), and what
 * its simulated host can be made to do. A name no device has is an IllegalArgumentException that names the
 * devices; nothing changes.
 */
@ProviderType
public interface HvBalloons {
    /** The factory PID whose configurations make devices. */
    String FACTORY_PID = "org.mmlab.hyperv.balloon";

    /** A snapshot of every device, by device name. */
    List<HvBalloonState> devices();

    /** A snapshot of one device, if it runs. */
    Optional<HvBalloonState> device(String name);

    /**
     * The host wants the balloon to hold this many 4 KiB pages: it sends DM_BALLOON_REQUEST or
     * DM_UNBALLOON_REQUEST messages until the guest's balloon is there, or the guest ballooned fewer
     * pages than asked (its floor). It does not wait for the guest.
     *
     * @throws IllegalArgumentException for a negative size
     */
    void setHostTarget(String name, long pages);

    /**
     * The host hot-adds this many pages (DM_MEM_HOT_ADD_REQUEST) into the device's hot-add space: the guest
     * adds the 128 MiB blocks that hold them and onlines the pages the host backs; the rest of those blocks
     * stays fake offline until a later hot-add backs it. It does not wait for the guest.
     *
     * @throws IllegalArgumentException for a size that is not positive or more than the space has left
     */
    void hotAdd(String name, long pages);
}
