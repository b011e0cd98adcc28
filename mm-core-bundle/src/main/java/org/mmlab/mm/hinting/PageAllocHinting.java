package org.mmlab.mm.hinting;

import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.Mm;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What mm/page_alloc.c and include/linux/mmzone.h give a free page hinting design, under the kernel's
 * names: zones and their lock and flags, the free lists, __isolate_free_page() and
 * __putback_isolated_page() with PageReported (mainline, v5.7), get_aeration_page() and
 * put_aeration_page() with PageAerated and the boundary-aware tail insertion ([PATCH v1 4/6-5/6], 2019),
 * and the static keys that make the free path call the design. Zones are numbered in for_each_zone()
 * order, pages by PFN, lists by id (a list head, or a page's lru).
 *
 * <p>Rules (the kernel's; the lab checks the first with lockdep_assert_held()):
 * <ol type="i">
 * <li>Every method that reads or changes a free list, a zone flag or a page's hinting mark is called
 *     with that zone's lock held ({@link #spinLock}); the hooks are called with it held.</li>
 * <li>A page a design took off the free lists ({@link #isolateFreePage}, {@link #getAerationPage}) is
 *     the design's until it puts it back ({@link #putbackIsolatedPage}, {@link #putAerationPage}): the
 *     allocator cannot hand it out, and mm:check counts it as hinted.</li>
 * <li>Hooks are installed by one design at a time; removing them waits for the calls in flight.</li>
 * </ol>
 */
@ProviderType
public interface PageAllocHinting {
    /** enum zone_flags ([PATCH v1 5/6]): the zone wants its raw pages aerated. */
    int ZONE_AERATION_REQUESTED = 0;
    /** enum zone_flags ([PATCH v1 5/6]): the aerator is placing aerated pages into the zone (boundaries set). */
    int ZONE_AERATION_ACTIVE = 1;
    /** AERATOR_MIN_ORDER = pageblock_order ([PATCH v1 5/6]). */
    int AERATOR_MIN_ORDER = Mm.PAGEBLOCK_ORDER;
    /** AERATOR_HWM ([PATCH v1 5/6]): raw pages of an order that make aerator_notify_free() ask for aeration. */
    int AERATOR_HWM = 32;
    /** PAGE_REPORTING_CAPACITY (include/linux/page_reporting.h, v5.7): pages per report. */
    int PAGE_REPORTING_CAPACITY = 32;

    /** The number of zones (for_each_zone()). */
    int nrZones();

    /** zone-&gt;name, e.g. "DMA32". */
    String zoneName(int zone);

    /** page_zone(): the zone of a PFN. */
    int zoneOf(int pfn);

    /** spin_lock(&amp;zone-&gt;lock), inside stop_machine()'s read section as spin_lock() disables preemption. */
    void spinLock(int zone);

    /** spin_unlock(&amp;zone-&gt;lock). */
    void spinUnlock(int zone);

    /** test_bit(flag, &amp;zone-&gt;flags). */
    boolean testZoneFlag(int zone, int flag);

    /** set_bit(flag, &amp;zone-&gt;flags). */
    void setZoneFlag(int zone, int flag);

    /** clear_bit(flag, &amp;zone-&gt;flags). */
    void clearZoneFlag(int zone, int flag);

    /** low_wmark_pages(zone). */
    long lowWmarkPages(int zone);

    /** zone_watermark_ok(zone, order, mark, 0, ALLOC_CMA) against NR_FREE_PAGES. */
    boolean zoneWatermarkOk(int zone, int order, long mark);

    /** zone-&gt;free_area[order].nr_free. */
    long nrFree(int zone, int order);

    /** zone-&gt;free_area[order].nr_free_aerated ([PATCH v1 4/6]). */
    long nrFreeAerated(int zone, int order);

    /** &amp;zone-&gt;free_area[order].free_list[migratetype]: the list head's id. */
    int freeList(int zone, int order, int migratetype);

    /** The id after this one on its list (list_next_entry()): a PFN, or the head at the end. */
    int listNext(int id);

    /** list_add_tail(&amp;page-&gt;lru, head): a page the design took, onto its own list (the aerator's batch). */
    void listAddTail(int pfn, int head);

    /** list_rotate_to_front(&amp;page-&gt;lru, head): the list now starts at pfn, its order kept. */
    void listRotateToFront(int pfn, int head);

    /** PageBuddy(). */
    boolean pageBuddy(int pfn);

    /** buddy_order(): a free block's order. */
    int buddyOrder(int pfn);

    /** page_private(): the order get_aeration_page() recorded in a page it took. */
    int pagePrivate(int pfn);

    /** get_pageblock_migratetype(). */
    int pageblockMigratetype(int pfn);

    /** PageReported() (v5.7): a free block the host has been told about; allocation clears it. */
    boolean pageReported(int pfn);

    /** __SetPageReported() (v5.7): only on a free block's head (VM_BUG_ON_PAGE otherwise). */
    void setPageReported(int pfn);

    /** PageAerated() ([PATCH v1 5/6]): the Offline type combined with Buddy; allocation clears it. */
    boolean pageAerated(int pfn);

    /**
     * __isolate_free_page() (v5.7): takes the free block off its list if the min watermark allows;
     * returns its pages, or 0.
     */
    int isolateFreePage(int pfn, int order);

    /**
     * __putback_isolated_page() (v5.7): the block goes back to the tail of its free list
     * (FPI_TO_TAIL | FPI_SKIP_REPORT_NOTIFY), merging with its buddies.
     */
    void putbackIsolatedPage(int pfn, int order, int migratetype);

    /**
     * get_aeration_page() ([PATCH v1 4/6]): a raw (not aerated) block of this order and migratetype from
     * above the boundary, off its list with its order in page_private() and its migratetype recorded;
     * or {@link Mm#NO_PAGE}.
     */
    int getAerationPage(int zone, int order, int migratetype);

    /**
     * put_aeration_page() ([PATCH v1 4/6]): the block goes back to the tail of its list (at the boundary
     * while the zone is ZONE_AERATION_ACTIVE) and is marked aerated unless it merged.
     */
    void putAerationPage(int zone, int pfn);

    /**
     * static_branch_enable(&amp;page_reporting_enabled) (v5.7) with the design's notify, and
     * page_reporting_order: from now on __free_one_page() calls hooks for blocks of at least that order.
     */
    void pageReportingEnable(PageReportingHooks hooks, int order);

    /** page_reporting_order changed (the module parameter is 0644). */
    void setPageReportingOrder(int order);

    /**
     * The lab switches designs, which the kernel never does (its key is never disabled): the free path
     * stops calling hooks, and this returns once no call into them is in flight.
     */
    void pageReportingDisable(PageReportingHooks hooks);

    /**
     * The 2019 aerator's code is in the kernel (CONFIG_AERATION): the free path calls these hooks for
     * the boundary while a zone is ZONE_AERATION_ACTIVE; notifications wait for {@link #aeratorNotifyEnable}.
     */
    void aeratorInstall(AeratorHooks hooks);

    /** The lab switches the aerator out: no hook is called any more once this returns. */
    void aeratorRemove(AeratorHooks hooks);

    /**
     * static_key_slow_inc(&amp;aerator_notify_enabled) (on) / static_key_slow_dec() (off) ([PATCH v1 5/6]):
     * whether aerator_notify_free() may call {@link AeratorHooks#aeratorNotify}.
     */
    void aeratorNotifyEnable(boolean on);

    /**
     * QEMU's virtio_balloon_handle_report(): ram_block_discard_range() on a reported page; a later guest
     * access faults a zeroed frame in. The lab's data-loss oracle: a page the guest uses (not free, and
     * not off the free lists for hinting) when its frame is discarded is data loss, said in dmesg, and
     * mm:check fails. Discarding a frame this host already discarded does nothing.
     */
    void hostDiscardReportedFrame(int pfn, Hypervisor host);

    /** Frames a host discarded as reported and still holds (the guest has not touched them since). */
    long reportedFramesHeld();

    /** Reported frames the host gave back since boot: the guest touched them again (a fault). */
    long reportedFramesReturned();

    /** Pages the design has off the free lists now (a batch, a report in flight). */
    long hintedPages();
}
