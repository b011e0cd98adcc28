package org.mmlab.mm;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * struct address_space_operations, the driver's side of the 2012 and 2016 contracts (the
 * address-space-operations contract). Return values: 0 (MIGRATEPAGE_SUCCESS), -{@link Errno#EAGAIN}
 * (transient: migrate_pages() retries), any other negative errno (permanent: the page is put back).
 *
 * <p>Called with the page lock of {@code pfn} held, and in migratepage() that of {@code newPfn} too.
 * A callback must not block on a lock whose holder may call into mm code (the kernel's drivers use
 * trylock and return -EAGAIN).
 */
@ConsumerType
public interface AddressSpaceOperations {
    /**
     * a_ops->migratepage(mapping, newpage, page, mode): move the page's role to newPfn.
     *
     * <p>2012 (v3.8 virtballoon_migratepage): insert newPfn into the balloon (page->mapping set with
     * {@link MovablePages2012#balloonPageSetMapping}, onto the device list, isolated_pages--), then delete
     * pfn (page->mapping cleared with {@link MovablePages2012#balloonPageClearMapping}); the core unlinks
     * pfn from the migration list, drops both of its references (isolation and balloon) and keeps
     * newPfn's allocation reference as the balloon's.
     *
     * <p>2016 (v4.8): take a reference on newPfn and {@link MovablePages2016#setPageMovable} it; call
     * {@link MovablePages2016#clearPageMovable} on pfn and drop the driver's reference to it; the core drops
     * newPfn's allocation reference and pfn's isolation reference (which frees it).
     */
    int migratepage(AddressSpace mapping, int newPfn, int pfn, MigrateMode mode);

    /**
     * a_ops->isolate_page(page, mode) (2016): take the page off the driver's lists so migration owns
     * it; false if it cannot move now. A driver that does not override it has no isolate_page, and
     * its pages are not PageMovable().
     */
    default boolean isolatePage(int pfn, int isolateMode) {
        return false;
    }

    /** a_ops->putback_page(page) (2016): migration gave up; the driver owns the page again. */
    default void putbackPage(int pfn) {
    }
}
