package org.mmlab.mm;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The movable-page service: the core's side of non-LRU page migration, under the contract this
 * guest runs ({@link #contract()}). Each bundle gets its own instance (service scope BUNDLE), so
 * the registry knows which bundle owns which mapping or movable_ops. Calling a function of another
 * contract throws an IllegalStateException naming both.
 *
 * <p>Ownership moves to the migration core only while a page is isolated: between a successful
 * isolate_page and migrate_page (success) or putback_page.
 */
@ProviderType
public interface MovablePages {
    /** The contract of this run (configuration property migrationContract of PID org.mmlab.mm). */
    MigrationContract contract();

    // ---------------------------------------------------------------- 2012: include/linux/balloon_compaction.h

    /**
     * balloon_mapping_alloc(b_dev_info, a_ops): the special page->mapping for this balloon device's
     * pages (AS_BALLOON_MAP set, private_data = bDevInfo). 2012 only.
     */
    AddressSpace balloonMappingAlloc(BalloonDevInfo bDevInfo, AddressSpaceOperations aOps);

    /**
     * balloon_mapping_free() (kfree()): no page may still point to it (they would be orphans). The
     * memory goes back to the slab, and the next mapping allocated may get it (after KASAN's
     * quarantine, mm:debug kasan-quarantine); a pointer kept across it is stale. A second free is
     * KASAN's double-free: reported, nothing freed. 2012 only.
     */
    void balloonMappingFree(AddressSpace mapping);

    /**
     * kmalloc(sizeof(struct address_space), GFP_KERNEL), as the reviewed v7 virtio patch allocated its
     * balloon_mapping (seed 003): an address space not initialised yet (no a_ops, no AS_BALLOON_MAP),
     * registered to the caller. Migration reaching it through a page before
     * {@link #balloonMappingInit} reads uninitialised memory (KMSAN's uninit-value). 2012 only.
     */
    AddressSpace balloonMappingKmalloc();

    /**
     * The v7 probe's initialisation of that mapping (INIT_RADIX_TREE(), ..., balloon_mapping->a_ops =
     * &amp;virtio_balloon_aops): a_ops, private_data = bDevInfo, and AS_BALLOON_MAP, which the 2012
     * core tests. A write through the pointer: KASAN checks it. 2012 only.
     */
    void balloonMappingInit(AddressSpace mapping, BalloonDevInfo bDevInfo, AddressSpaceOperations aOps);

    /**
     * page->mapping = mapping: the assignment balloon_page_insert() makes. Rule i: with the page
     * locked, then b_dev_info->pages_lock held (VM_BUG_ON_PAGE unless the page lock is held, with
     * debugVm). 2012 only.
     */
    void balloonPageSetMapping(int pfn, AddressSpace mapping);

    /** page->mapping = NULL: what balloon_page_delete() does, under the same locks. 2012 only. */
    void balloonPageClearMapping(int pfn);

    /**
     * page->mapping = NULL as the reviewed v7 virtio patch's leak path wrote it (seed 003), under
     * pages_lock alone: no page lock, so no rule i and no VM_BUG_ON. In the weak-memory mode the store
     * stays in this CPU's store buffer until its next barrier. 2012 only; the race lab's v7 leak path.
     */
    void balloonPageClearMappingLockless(int pfn);

    /**
     * balloon_page_movable(): the lockless hint (no PAGE_FLAGS_CHECK_AT_PREP flag, not mapped,
     * page_count 1, a balloon mapping). Racy by design: isolation re-tests under the page lock. 2012 only.
     */
    boolean balloonPageMovable(int pfn);

    /** balloon_page_device(): page->mapping->private_data, or null. 2012 only. */
    Object balloonPageDevice(int pfn);

    // ---------------------------------------------------------------- 2016: mm/compaction.c, include/linux/page-flags.h

    /**
     * alloc_anon_inode() on the driver's pseudo-fs (virtio's balloon_mnt): an inode whose i_mapping
     * has these a_ops, for {@link #setPageMovable}. 2016 only.
     */
    AddressSpace allocAnonInode(AddressSpaceOperations aOps, Object privateData);

    /** iput() of that inode. 2016 only. */
    void iput(AddressSpace mapping);

    /**
     * __SetPageMovable(page, mapping): page->mapping = mapping | PAGE_MAPPING_MOVABLE. The page lock
     * must be held (VM_BUG_ON_PAGE with debugVm). 2016 only.
     */
    void setPageMovable(int pfn, AddressSpace mapping);

    /**
     * __ClearPageMovable(page): clears the mapping but keeps PAGE_MAPPING_MOVABLE, so that migration
     * sees a page its owner released after isolation. Page lock held; the page must be PageMovable. 2016 only.
     */
    void clearPageMovable(int pfn);

    /** PageMovable(): __PageMovable and mapping->a_ops->isolate_page exists. Page lock held. 2016 only. */
    boolean pageMovable(int pfn);

    /** __PageMovable(): the lockless hint, (page->mapping &amp; PAGE_MAPPING_FLAGS) == PAGE_MAPPING_MOVABLE. 2016 only. */
    boolean pageMovableHint(int pfn);

    /** PageIsolated() (PG_isolated, an alias of PG_reclaim): isolated for migration. 2016 only. */
    boolean pageIsolated(int pfn);

    /**
     * page_mapping(): the address space page->mapping points to (2012 and 2016), or null; a stale or
     * uninitialised one is reported (KASAN, KMSAN) and read as null.
     */
    AddressSpace pageMapping(int pfn);

    // ---------------------------------------------------------------- 2025: mm/migrate.c, include/linux/page-flags.h

    /**
     * set_movable_ops(ops, type): register the movable_ops of a page type; null unregisters. Returns 0,
     * -{@link Errno#EINVAL} for a type other than OFFLINE and ZSMALLOC, -{@link Errno#EBUSY} if ops
     * are already set. 2025 only.
     */
    int setMovableOps(MovableOperations ops, PageType type);

    /** SetPageMovableOps(): PG_movable_ops (an alias of PG_uptodate) on a typed page; never cleared until it is freed. 2025 only. */
    void setPageMovableOps(int pfn);

    /** page_has_movable_ops(): PG_movable_ops and a type that has movable_ops (offline, zsmalloc). 2025 only. */
    boolean pageHasMovableOps(int pfn);

    /** PageMovableOpsIsolated() (PG_movable_ops_isolated, an alias of PG_reclaim). 2025 only. */
    boolean pageMovableOpsIsolated(int pfn);

    // ---------------------------------------------------------------- every contract

    /** page->private. */
    int pagePrivate(int pfn);

    /** set_page_private(). */
    void setPagePrivate(int pfn, int value);

    /** __SetPageOffline(): an untyped, unmapped page becomes PageOffline (VM_BUG_ON_PAGE otherwise, with debugVm). */
    void setPageOffline(int pfn);

    /** __ClearPageOffline(): VM_BUG_ON_PAGE unless the page is PageOffline, with debugVm. */
    void clearPageOffline(int pfn);

    /** The registry: every bundle's mappings and movable_ops, with their page counts now. */
    List<MovableOwner> owners();
}
