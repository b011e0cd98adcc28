package org.mmlab.mm;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The movable-page service of a guest that runs the 2025 contract: movable_ops of v6.17
 * (mm/migrate.c, include/linux/page-flags.h). The ops come from the page type, registered once per
 * type; page->mapping plays no part.
 */
@ProviderType
public non-sealed interface MovablePages2025 extends MovablePages {
    /**
     * set_movable_ops(ops, type): register the movable_ops of a page type; null unregisters. Returns 0,
     * -{@link Errno#EINVAL} for a type other than OFFLINE and ZSMALLOC, -{@link Errno#EBUSY} if ops
     * are already set.
     */
    int setMovableOps(MovableOperations ops, PageType type);

    /** SetPageMovableOps(): PG_movable_ops (an alias of PG_uptodate) on a typed page; never cleared until it is freed. */
    void setPageMovableOps(int pfn);

    /** page_has_movable_ops(): PG_movable_ops and a type that has movable_ops (offline, zsmalloc). */
    boolean pageHasMovableOps(int pfn);

    /** PageMovableOpsIsolated() (PG_movable_ops_isolated, an alias of PG_reclaim). */
    boolean pageMovableOpsIsolated(int pfn);
}
