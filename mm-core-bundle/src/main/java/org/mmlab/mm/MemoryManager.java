package org.mmlab.mm;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The simulated guest kernel's memory manager as a service: what drivers and tools may call,
 * under the kernel's names. PFNs are ints; NO_PAGE (-1) is the NULL page.
 */
@ProviderType
public interface MemoryManager {
    /** max_pfn: PFNs run from 0 to nrPages() - 1. */
    int nrPages();

    /** totalram_pages(): pages the allocator manages (boot reservations excluded). */
    long totalramPages();

    /** NR_FREE_PAGES over all zones. */
    long freePages();

    /** alloc_pages(gfp, order): the first PFN of 2^order pages, or {@link Mm#NO_PAGE}. */
    int allocPages(int gfp, int order);

    /** __free_pages(page, order): drop the caller's reference; the last one frees the block. */
    void freePages(int pfn, int order);

    /** get_page(). */
    void getPage(int pfn);

    /** get_page_unless_zero(): a reference, unless the page is already on its way to being freed. */
    boolean getPageUnlessZero(int pfn);

    /** put_page(): the last reference frees the page. */
    void putPage(int pfn);

    /** page_count(). */
    int pageCount(int pfn);

    /** trylock_page(). */
    boolean trylockPage(int pfn);

    /** lock_page(): waits until the page lock is the caller's. */
    void lockPage(int pfn);

    /** unlock_page(). */
    void unlockPage(int pfn);

    /** test_bit(flag, &page->flags), with flag one of {@link PageFlags}. */
    boolean testPageFlag(int pfn, int flag);

    /** The page's type, or null for an untyped page. */
    PageType pageType(int pfn);

    /** What a read of the page sees (its content tag). */
    long readPage(int pfn);

    /** Writes the page (its content tag). */
    void writePage(int pfn, long tag);

    /** register_oom_notifier(). */
    void registerOomNotifier(OomNotifier notifier);

    /** unregister_oom_notifier(). */
    void unregisterOomNotifier(OomNotifier notifier);

    /** printk() into the guest's dmesg. */
    void printk(String text);
}
