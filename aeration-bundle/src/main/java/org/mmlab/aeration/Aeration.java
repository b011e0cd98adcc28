package org.mmlab.aeration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The lab's free page hinting (aeration-bundle): the design in force, chosen by configuration
 * ({@link #PID}, property {@code design}: off, aerator or reporting), and its pending work.
 */
@ProviderType
public interface Aeration {
    /** The configuration: design, pageReportingOrder, autoRun and the race lab's variants (docs/aeration.md). */
    String PID = "org.mmlab.aeration";

    /** What is in force now, with the device, the batch or report in flight and the host's view. */
    AerationStatus status();

    /**
     * Runs the pending hinting work now on the calling thread (the delayed work's function, as the
     * workqueue would, never two at once), again while more is pending (the budget ran out, frees
     * asked for more), at most {@code maxPasses} times; returns the status after.
     */
    AerationStatus kick(int maxPasses);
}
