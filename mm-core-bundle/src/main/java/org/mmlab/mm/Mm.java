package org.mmlab.mm;

/** The kernel's memory-model constants (include/linux/mmzone.h, include/asm-generic/page.h, x86_64). */
public final class Mm {
    /** PAGE_SHIFT: 4 KiB pages. */
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    /** PAGE_POISON (include/linux/poison.h): the byte page poisoning fills freed pages with. */
    public static final int PAGE_POISON = 0xaa;
    /** A page full of PAGE_POISON, as the content tag reads it. */
    public static final long PAGE_POISON_TAG = 0xaaaaaaaaaaaaaaaaL;
    /** MAX_PAGE_ORDER (formerly MAX_ORDER - 1): the largest buddy block is 2^10 pages (4 MiB). */
    public static final int MAX_PAGE_ORDER = 10;
    public static final int NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;
    /** pageblock_order on x86_64 with THP: a pageblock is 2^9 pages (2 MiB). */
    public static final int PAGEBLOCK_ORDER = 9;
    public static final int PAGEBLOCK_NR_PAGES = 1 << PAGEBLOCK_ORDER;
    /** PAGE_ALLOC_COSTLY_ORDER: orders above this are "costly" to the allocator and to compaction. */
    public static final int PAGE_ALLOC_COSTLY_ORDER = 3;
    /** The NULL page: what alloc_pages() returns on failure. */
    public static final int NO_PAGE = -1;

    private Mm() {
    }
}
