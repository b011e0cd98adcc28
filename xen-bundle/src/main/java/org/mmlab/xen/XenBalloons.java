package org.mmlab.xen;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Every XEN balloon running now (one per factory configuration of org.mmlab.xen.balloon), and what its
 * toolstack and backends can do. A name no device has is an IllegalArgumentException that names the
 * devices; nothing changes.
 */
@ProviderType
public interface XenBalloons {
    /** The factory PID whose configurations make devices. */
    String FACTORY_PID = "org.mmlab.xen.balloon";

    /** A snapshot of every device, by device name. */
    List<XenBalloonState> devices();

    /** A snapshot of one device, if it runs. */
    Optional<XenBalloonState> device(String name);

    /**
     * The toolstack writes memory/target (in KiB) so that the balloon holds this many 4 KiB pages; the
     * guest's watch sets the new target and wakes the balloon thread. It does not wait for the guest.
     *
     * @throws IllegalArgumentException for a negative size or more than the guest's memory
     */
    void setBalloonTarget(String name, long pages);

    /**
     * A backend driver takes n ballooned pages (xen_alloc_ballooned_pages(): pages with no memory behind
     * them, to map other domains' grants into), ballooning more first if the balloon has too few.
     *
     * @return the pages' PFNs
     * @throws IllegalStateException if the guest has not the memory (-ENOMEM), changing nothing
     */
    int[] allocBallooned(String name, int n);

    /** The backend gives n of the pages it took back (xen_free_ballooned_pages()), the last taken first. */
    void freeBallooned(String name, int n);
}
