package org.mmlab.mm.internal;

import org.mmlab.mm.Mm;
import org.mmlab.mm.Ratelimit;

/**
 * Models mm/page_poison.c: CONFIG_PAGE_POISONING with page_poison=1. Freed pages are filled with
 * PAGE_POISON, and a page being allocated is checked for it (check_poison_mem()), so a write to a
 * free page, or a host discarding one, is reported. As include/linux/mm.h splits them, the test of
 * page_poisoning_enabled_static() is inline and the work out of line, so with poisoning off the
 * allocator's hot paths pay one test (and the JIT inlines no loop into them).
 */
final class PagePoison {
    private final PageContent content;
    private final MmDebug debug;
    private final Dmesg dmesg;
    /** page_poison=1 on the command line: fixed at boot. */
    private final boolean enabled;
    private final Ratelimit poisonRatelimit = new Ratelimit();

    PagePoison(PageContent content, MmDebug debug, Dmesg dmesg, boolean enabled) {
        this.content = content;
        this.debug = debug;
        this.dmesg = dmesg;
        this.enabled = enabled;
    }

    /** kernel_poison_pages(): fill freed pages with PAGE_POISON. */
    void kernelPoisonPages(int pfn, int n) {
        if (enabled) {
            poisonPages(pfn, n);
        }
    }

    /** kernel_unpoison_pages(): check pages being allocated for their poison. */
    void kernelUnpoisonPages(int pfn, int n) {
        if (enabled) {
            unpoisonPages(pfn, n);
        }
    }

    /** __kernel_poison_pages(). */
    private void poisonPages(int pfn, int n) {
        for (int i = 0; i < n; i++) {
            content.write(pfn + i, Mm.PAGE_POISON_TAG);
        }
    }

    /**
     * __kernel_unpoison_pages(): check_poison_mem() on each page; a page that lost its poison while
     * free was written by someone who did not own it (or a host discarded it).
     */
    private void unpoisonPages(int pfn, int n) {
        for (int i = 0; i < n; i++) {
            long found = content.read(pfn + i);
            if (found != Mm.PAGE_POISON_TAG && poisonRatelimit.allow("check_poison_mem", dmesg::printk)) {
                dmesg.printk(String.format("pagealloc: memory corruption%n%016x: %016x (expected %016x)%n%s",
                        (long) (pfn + i) << Mm.PAGE_SHIFT, found, Mm.PAGE_POISON_TAG,
                        debug.dumpPage(pfn + i, "pagealloc: corrupted page details")));
            }
        }
    }
}
