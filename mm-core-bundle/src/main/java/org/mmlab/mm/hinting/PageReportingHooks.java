package org.mmlab.mm.hinting;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What the free path calls in mainline free page reporting (mm/page_reporting.c, v5.7): installed with
 * {@link PageAllocHinting#pageReportingEnable}.
 */
@ConsumerType
public interface PageReportingHooks {
    /**
     * __page_reporting_notify(): a block of at least page_reporting_order was freed (mm/page_reporting.h's
     * page_reporting_notify_free() screened it); called from __free_one_page() with zone->lock held.
     */
    void pageReportingNotify();
}
