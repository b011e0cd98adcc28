package org.mmlab.balloon;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a balloon device's host wants of it, and how far its driver got: a driver registers one per device
 * (whiteboard) so that tools draw each balloon's size against its target over time, whatever the driver.
 * Sizes are 4 KiB frames (a 2 MiB page counts 512).
 */
@ConsumerType
public interface BalloonTarget {
    /** The device as mm/balloon.c knows it; null while it has none (not probed yet, or removed). */
    BalloonDevInfo device();

    /** The frames the host wants in the balloon now (virtio's config num_pages, VMware's target). */
    long targetFrames();

    /** The frames the driver has inflated now (virtio's vb->num_pages, VMware's b->size). */
    long sizeFrames();
}
