package org.mmlab.balloon;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The balloon infrastructure's knobs (PID org.mmlab.balloon), as a service of the running infrastructure
 * whose properties are the knobs in force: a tool that writes the configuration awaits the service with
 * the value it wrote, e.g. a ServiceTracker on {@code (leakPath=v7)}, since Configuration Admin delivers
 * it asynchronously.
 */
@ProviderType
public interface BalloonSettings {
    /** The configuration PID. */
    String PID = "org.mmlab.balloon";
    /**
     * The configuration and service property: how a 2012 balloon_page_dequeue() takes pages off the list,
     * "v3.8" (the default: a page another task holds locked is skipped), "v7" (the reviewed v7 virtio
     * patch's leak path, seed 003) or "v7-wmb" (v7 with the smp_wmb() the reviewer asked for).
     */
    String LEAK_PATH = "leakPath";

    /** The leak path in force. */
    String leakPath();
}
