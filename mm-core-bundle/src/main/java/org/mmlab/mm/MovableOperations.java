package org.mmlab.mm;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * struct movable_operations (include/linux/migrate.h), the driver's side of the 2025 contract,
 * registered once per page type with {@link MovablePages2025#setMovableOps}. Every callback runs with
 * the page lock of the source page held (and of dst in migratePage).
 */
@ConsumerType
public interface MovableOperations {
    /**
     * Service property of a MovableOperations registered as an OSGi service: the page type it serves,
     * "offline" or "zsmalloc". The core calls set_movable_ops(ops, type) when the service appears and
     * set_movable_ops(NULL, type) when it goes, as zsmalloc's module init and exit do.
     */
    String PAGE_TYPE = "movable.page.type";

    /**
     * isolate_page(page, mode): prepare the page to be moved (take it off the owner's lists); false
     * if it is not movable now. The VM marks it PG_movable_ops_isolated on success.
     */
    boolean isolatePage(int pfn, int isolateMode);

    /**
     * migrate_page(dst, src, mode): 0 on success (ownership of src and dst swapped: the owner takes a
     * reference on dst and drops its own on src; the core drops dst's allocation reference and src's
     * isolation reference, which frees src), -{@link Errno#EAGAIN} to be retried, any other negative
     * errno for a permanent failure (src stays isolated and is put back later). Must not touch
     * src's lru links: they are on the migration list.
     */
    int migratePage(int dstPfn, int srcPfn, MigrateMode mode);

    /** putback_page(page): migration gave up; the owner takes the page back. */
    void putbackPage(int pfn);
}
