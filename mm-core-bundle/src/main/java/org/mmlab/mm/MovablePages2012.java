package org.mmlab.mm;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The movable-page service of a guest that runs the 2012 contract: include/linux/balloon_compaction.h
 * of v3.8 (seed 000). A balloon page is one whose page->mapping is a balloon mapping.
 */
@ProviderType
public non-sealed interface MovablePages2012 extends MovablePages {
    /**
     * balloon_mapping_alloc(b_dev_info, a_ops): the special page->mapping for this balloon device's
     * pages (AS_BALLOON_MAP set, private_data = hooks).
     */
    AddressSpace balloonMappingAlloc(BalloonHooks2012 hooks, AddressSpaceOperations aOps);

    /**
     * balloon_mapping_free() (kfree()): no page may still point to it (they would be orphans). The
     * memory goes back to the slab, and the next mapping allocated may get it (after KASAN's
     * quarantine, mm:debug kasan-quarantine); a pointer kept across it is stale. A second free is
     * KASAN's double-free: reported, nothing freed.
     */
    void balloonMappingFree(AddressSpace mapping);

    /**
     * page->mapping = mapping: the assignment balloon_page_insert() makes. Rule i: with the page
     * locked, then b_dev_info->pages_lock held (VM_BUG_ON_PAGE unless the page lock is held, with
     * debugVm).
     */
    void balloonPageSetMapping(int pfn, AddressSpace mapping);

    /** page->mapping = NULL: what balloon_page_delete() does, under the same locks. */
    void balloonPageClearMapping(int pfn);

    /**
     * balloon_page_movable(): the lockless hint (no PAGE_FLAGS_CHECK_AT_PREP flag, not mapped,
     * page_count 1, a balloon mapping). Racy by design: isolation re-tests under the page lock.
     */
    boolean balloonPageMovable(int pfn);

    /** balloon_page_device(): page->mapping->private_data, or null. */
    Object balloonPageDevice(int pfn);

    /**
     * page_mapping(): the balloon mapping page->mapping points to, or null; a stale or uninitialised
     * one is reported (KASAN, KMSAN) and read as null.
     */
    AddressSpace pageMapping(int pfn);
}
