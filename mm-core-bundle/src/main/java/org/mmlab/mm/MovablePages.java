package org.mmlab.mm;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The movable-page service: the core's side of non-LRU page migration under the contract this guest
 * booted with. What a driver may call depends on that contract, so the service is one of three types,
 * each with its kernel's functions: {@link MovablePages2012} (include/linux/balloon_compaction.h),
 * {@link MovablePages2016} (__SetPageMovable() and friends), {@link MovablePages2025}
 * (set_movable_ops()). A driver picks its era's code once, e.g.
 * {@code if (pages instanceof MovablePages2016 p) ...}. Each bundle gets its own instance (service
 * scope BUNDLE), so the registry knows which bundle owns which mapping or movable_ops.
 *
 * <p>Ownership moves to the migration core only while a page is isolated: between a successful
 * isolate_page and migrate_page (success) or putback_page.
 */
@ProviderType
public sealed interface MovablePages permits MovablePages2012, MovablePages2016, MovablePages2025 {
    /** The contract of this run (configuration property migrationContract of PID org.mmlab.mm). */
    MigrationContract contract();

    /** page->private. */
    int pagePrivate(int pfn);

    /** set_page_private(). */
    void setPagePrivate(int pfn, int value);

    /**
     * __SetPageOffline(): an untyped, unmapped page becomes PageOffline; one that is already stays so (v6.18.2);
     * VM_BUG_ON_PAGE on any other page, with debugVm.
     */
    void setPageOffline(int pfn);

    /** __ClearPageOffline(): nothing on an untyped page (v6.18.2); VM_BUG_ON_PAGE on another type, with debugVm. */
    void clearPageOffline(int pfn);

    /** The registry: every bundle's mappings and movable_ops, with their page counts now. */
    List<MovableOwner> owners();
}
