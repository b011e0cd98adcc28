package org.mmlab.balloon;

import org.osgi.annotation.versioning.ProviderType;

/**
 * struct balloon_dev_info: one balloon device's pages (those enqueued and handed to the host) and
 * its isolated pages (taken by migration, still the device's). Made by
 * {@link Balloons#balloonDevinfoInit}; the driver passes it back to every call.
 */
@ProviderType
public interface BalloonDevInfo {
    /** The device's name, e.g. "virtio-balloon 0". */
    String name();

    /** The driver bundle that made it. */
    long bundleId();

    /** Pages on b_dev_info->pages now (inflated, not isolated). */
    long nrPages();

    /** b_dev_info->isolated_pages: pages migration holds now. */
    long isolatedPages();

    /** b_dev_info->adjust_managed_page_count: the core takes inflated pages out of totalram. */
    boolean adjustManagedPageCount();

    /** True once the driver removed the device ({@link Balloons#balloonDevinfoRemove}). */
    boolean removed();

    /** True if its driver stopped without removing it: its pages are stranded, its name free again. */
    boolean orphaned();

    /** 2012: its pages' mapping is the driver's own, not one the infrastructure made (the v7 lifecycle). */
    boolean mappingOwnedByDriver();
}
