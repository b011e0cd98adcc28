package org.mmlab.mm;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The movable-page service of a guest that runs the 2016 contract: non-LRU movable pages of v4.8
 * (mm/compaction.c, include/linux/page-flags.h). Any driver marks its pages with
 * {@link #setPageMovable} and migration reaches its a_ops through page->mapping.
 */
@ProviderType
public non-sealed interface MovablePages2016 extends MovablePages {
    /**
     * alloc_anon_inode() on the driver's pseudo-fs (virtio's balloon_mnt): an inode whose i_mapping
     * has these a_ops, for {@link #setPageMovable}.
     */
    AddressSpace allocAnonInode(AddressSpaceOperations aOps, Object privateData);

    /** iput() of that inode. */
    void iput(AddressSpace mapping);

    /**
     * __SetPageMovable(page, mapping): page->mapping = mapping | PAGE_MAPPING_MOVABLE. The page lock
     * must be held (VM_BUG_ON_PAGE with debugVm).
     */
    void setPageMovable(int pfn, AddressSpace mapping);

    /**
     * __ClearPageMovable(page): clears the mapping but keeps PAGE_MAPPING_MOVABLE, so that migration
     * sees a page its owner released after isolation. Page lock held; the page must be PageMovable.
     */
    void clearPageMovable(int pfn);

    /** PageMovable(): __PageMovable and mapping->a_ops->isolate_page exists. Page lock held. */
    boolean pageMovable(int pfn);

    /** __PageMovable(): the lockless hint, (page->mapping &amp; PAGE_MAPPING_FLAGS) == PAGE_MAPPING_MOVABLE. */
    boolean pageMovableHint(int pfn);

    /** PageIsolated() (PG_isolated, an alias of PG_reclaim): isolated for migration. */
    boolean pageIsolated(int pfn);

    /**
     * page_mapping(): the address space page->mapping points to, or null; a stale one is reported
     * (KASAN) and read as null.
     */
    AddressSpace pageMapping(int pfn);
}
