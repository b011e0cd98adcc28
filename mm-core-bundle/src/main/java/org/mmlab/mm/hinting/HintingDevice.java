package org.mmlab.mm.hinting;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A free page hinting device (virtio-balloon with VIRTIO_BALLOON_F_REPORTING), as either design drives
 * it: mainline's struct page_reporting_dev_info (include/linux/page_reporting.h, v5.7) and the 2019
 * aerator's struct aerator_dev_info ([PATCH v1 5/6] include/linux/memory_aeration.h). The design calls
 * these with zone->lock dropped; the pages they name are off the free lists for the duration.
 */
@ConsumerType
public interface HintingDevice {
    /** The device's name in reports, e.g. "virtio-balloon 0". */
    String name();

    /**
     * prdev->report(prdev, sg, nents) (v5.7, virtballoon_free_page_report()): tell the host that the
     * blocks of sg[offset, offset + nents) are free; returns 0 once the host took them, or a negative
     * errno (the pages are then not marked reported).
     */
    int report(Scatterlist sg, int offset, int nents);

    /**
     * a_dev_info-&gt;react(a_dev_info) ([PATCH v1 6/6], virtballoon_aerator_react()): tell the host about the
     * pages on the batch list at batchHead (linked through page-&gt;lru, each with its order in
     * page_private()), and return once it acknowledged them.
     */
    void react(int batchHead);

    /** a_dev_info-&gt;capacity: how many pages one react() takes (VIRTIO_BALLOON_ARRAY_HINTS_MAX, 32, in v1). */
    long capacity();

    /** prdev-&gt;order: the device's smallest order to report, or 0 for the default (pageblock_order). */
    default int order() {
        return 0;
    }
}
