package org.mmlab.mm;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The 2012 contract's balloon hooks, as the migration core reaches them through a balloon mapping's
 * private_data (v3.8's struct balloon_dev_info): __isolate_balloon_page() and __putback_balloon_page()
 * of mm/balloon_compaction.c. The balloon infrastructure (or a test's driver) implements them over its
 * own page list under its pages_lock; the core calls them with the page locked and a reference held.
 * (Not org.mmlab.balloon.BalloonDevInfo, the infrastructure's device as drivers see it.)
 *
 * <p>Rules of seed 000 (include/linux/balloon_compaction.h, 2012):
 * <ol type="i">
 * <li>page->mapping of a balloon page changes only under page_lock, then b_dev_info->pages_lock.</li>
 * <li>Before isolating or dequeueing, raise the refcount by one; drop it when the page is enqueued back.</li>
 * <li>After the lockless scan picked a page, re-test page->mapping and the refcount under the page lock.</li>
 * </ol>
 */
@ConsumerType
public interface BalloonHooks2012 {
    /** __isolate_balloon_page(): list_del(&page->lru) and isolated_pages++, under pages_lock. */
    void isolatePage(int pfn);

    /** __putback_balloon_page(): list_add(&page->lru, &pages) and isolated_pages--, under pages_lock. */
    void putbackPage(int pfn);
}
