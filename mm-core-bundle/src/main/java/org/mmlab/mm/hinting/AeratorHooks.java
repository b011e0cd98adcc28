package org.mmlab.mm.hinting;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What mm/page_alloc.c calls in the 2019 aerator's mm/aeration.c ([PATCH v1 5/6]), each with zone-&gt;lock
 * held: installed with {@link PageAllocHinting#aeratorInstall}.
 */
@ConsumerType
public interface AeratorHooks {
    /**
     * __aerator_notify(zone): aerator_notify_free() saw raw pages of order &gt;= AERATOR_MIN_ORDER reach
     * AERATOR_HWM in a zone not yet ZONE_AERATION_REQUESTED.
     */
    void aeratorNotify(int zone);

    /**
     * __aerator_get_tail(order, migratetype): where a tail insertion goes while the zone is
     * ZONE_AERATION_ACTIVE, the boundary between raw and aerated pages (a list head or a page's lru).
     */
    int aeratorGetTail(int zone, int order, int migratetype);

    /** aerator_add_to_boundary(page, zone): an aerated page was put back; it is the new boundary. */
    void aeratorAddToBoundary(int pfn, int zone, int order, int migratetype);

    /**
     * __aerator_del_from_boundary(page, zone): an aerated page leaves its free list (allocated, merged or
     * moved) while the zone is ZONE_AERATION_ACTIVE; called before list_del(), so its lru still links.
     */
    void aeratorDelFromBoundary(int pfn, int zone, int order, int migratetype);
}
