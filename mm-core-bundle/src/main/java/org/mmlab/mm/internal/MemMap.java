package org.mmlab.mm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

import org.mmlab.mm.Mm;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.PageType;

/**
 * Models the memmap (mm/mm_init.c): struct page for every PFN, kept as one primitive array per
 * field instead of one object per page. Eight 32-bit fields make 32 bytes a page, half of the
 * kernel's 64-byte struct page (no memcg_data, 32-bit words). A page's content lives apart, in
 * {@link PageContent}. The lru links are also used by list heads, whose ids follow the last PFN.
 */
public final class MemMap {
    static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    /** pageblock_flags words are updated with cmpxchg (set_pfnblock_flags_mask): the skip bit is set without zone->lock. */
    static final VarHandle BYTES = MethodHandles.arrayElementVarHandle(byte[].class);

    /** _mapcount of a page that no page table maps (page_mapcount_reset). */
    static final int MAPCOUNT_NONE = -1;
    /** PAGE_MAPPING_ANON: low bit of page->mapping marks an anon_vma, not an address_space. */
    public static final int PAGE_MAPPING_ANON = 0x1;
    /** PAGE_MAPPING_MOVABLE: the 2016-2025 mark of a non-LRU movable page's mapping. */
    public static final int PAGE_MAPPING_MOVABLE = 0x2;
    public static final int PAGE_MAPPING_FLAGS = PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE;
    /**
     * A mapping pointer's KASAN tag sits in the word's top byte, as software tag-based KASAN keeps it in
     * the pointer's top byte (arm64 TBI); 0 for the untagged words of anon_vmas.
     */
    static final int MAPPING_TAG_SHIFT = 24;
    /** The handle bits of page->mapping: between the tag and the PAGE_MAPPING_* flags. */
    static final int MAPPING_HANDLE_MASK = 0x00ff_fffc;
    /** The most handles the word can hold. */
    static final int MAX_HANDLE = MAPPING_HANDLE_MASK >>> 2;

    /** The handle a page->mapping word points to (0: NULL). */
    static int mappingHandle(int word) {
        return (word & MAPPING_HANDLE_MASK) >>> 2;
    }

    /** The KASAN tag of a page->mapping word's pointer. */
    static int mappingTag(int word) {
        return word >>> MAPPING_TAG_SHIFT;
    }
    /** Room for list heads (free lists, LRU lists, balloon lists) after the last PFN. */
    static final int MAX_LIST_HEADS = 1 << 16;
    /** PB_migrate_skip: the compaction skip bit kept next to each pageblock's migratetype. */
    static final int PB_MIGRATE_SKIP = 0x8;
    static final int PB_MIGRATETYPE_MASK = 0x7;

    final int nrPages;
    /** page->flags: PG_* bits (the zone is derived from the PFN, not stored). */
    final int[] flags;
    /** page->_refcount. */
    final int[] refcount;
    /** page->_mapcount and page->page_type: one word, as in the kernel. */
    final int[] mapcountOrType;
    /** page->mapping: a handle with PAGE_MAPPING_* flags in the low two bits and a KASAN tag on top, 0 for NULL. */
    final int[] mapping;
    /** page->index: for anon pages, the page's offset in its process's address space. */
    final int[] index;
    /** page->private: the buddy order of a free block, or the owner's data (e.g. a balloon device). */
    final int[] pagePrivate;
    /** page->lru.next and page->lru.prev, then the same for each list head. */
    final int[] next;
    final int[] prev;
    /** pageblock_flags: per pageblock, the migratetype and PB_migrate_skip. */
    final byte[] pageblockFlags;

    private final int[] freeHeads = new int[MAX_LIST_HEADS];
    private int nrFreeHeads;

    MemMap(int nrPages) {
        this.nrPages = nrPages;
        flags = new int[nrPages];
        refcount = new int[nrPages];
        mapcountOrType = new int[nrPages];
        Arrays.fill(mapcountOrType, MAPCOUNT_NONE);
        mapping = new int[nrPages];
        index = new int[nrPages];
        pagePrivate = new int[nrPages];
        next = new int[nrPages + MAX_LIST_HEADS];
        prev = new int[nrPages + MAX_LIST_HEADS];
        // __init_single_page(): INIT_LIST_HEAD(&page->lru). A plain loop, not Arrays.setAll() with a lambda: in a
        // fresh JVM the lambda's call per page ran interpreted, 38-87 ms against 4-10 ms (1.1 M entries, 2026-12-08)
        for (int i = 0; i < next.length; i++) {
            next[i] = i;
        }
        System.arraycopy(next, 0, prev, 0, next.length);
        pageblockFlags = new byte[(nrPages + Mm.PAGEBLOCK_NR_PAGES - 1) >> Mm.PAGEBLOCK_ORDER];
        // memmap_init_range(): every pageblock starts MIGRATE_MOVABLE
        Arrays.fill(pageblockFlags, (byte) MigrateType.MOVABLE.ordinal());
        for (int i = 0; i < MAX_LIST_HEADS; i++) {
            freeHeads[i] = nrPages + MAX_LIST_HEADS - 1 - i;
        }
        nrFreeHeads = MAX_LIST_HEADS;
    }

    /** Bytes of struct-page state per PFN (the eight int arrays), for the benchmarks. */
    public static int metadataBytesPerPage() {
        return 8 * Integer.BYTES;
    }

    public int nrPages() {
        return nrPages;
    }

    /** A new, empty list head (INIT_LIST_HEAD). */
    synchronized int allocListHead() {
        if (nrFreeHeads == 0) {
            throw new IllegalStateException("out of list heads (" + MAX_LIST_HEADS + ")");
        }
        int head = freeHeads[--nrFreeHeads];
        next[head] = head;
        prev[head] = head;
        return head;
    }

    synchronized void freeListHead(int head) {
        freeHeads[nrFreeHeads++] = head;
    }

    /**
     * What a %px of an lru link prints: page->lru in the vmemmap (0xffffea...), a list head in kernel
     * data (0xffff8881...), LIST_POISON1/2, or a tail page's compound_head (head + 1).
     */
    String lruAddress(int id) {
        long a;
        if (id == PageLists.LIST_POISON1) {
            a = 0xdead000000000100L;
        } else if (id == PageLists.LIST_POISON2) {
            a = 0xdead000000000122L;
        } else if (id >= nrPages) {
            a = 0xffff888100000000L + (long) (id - nrPages) * 16;
        } else if (id >= 0) {
            a = 0xffffea0000000000L + (long) id * 64 + 8;
        } else {
            a = 0xffffea0000000000L + (long) (-id - 2) * 64 + 1;
        }
        return String.format("%016x", a);
    }

    // --- page->flags: set_bit()/clear_bit()/test_bit() are atomic; __SetPageX() variants are not ---

    boolean testFlag(int pfn, int flag) {
        return ((int) INTS.getVolatile(flags, pfn) & (1 << flag)) != 0;
    }

    void setFlag(int pfn, int flag) {
        INTS.getAndBitwiseOr(flags, pfn, 1 << flag);
    }

    void clearFlag(int pfn, int flag) {
        INTS.getAndBitwiseAnd(flags, pfn, ~(1 << flag));
    }

    /** test_and_set_bit(): returns the old value. */
    boolean testAndSetFlag(int pfn, int flag) {
        return ((int) INTS.getAndBitwiseOr(flags, pfn, 1 << flag) & (1 << flag)) != 0;
    }

    boolean testAndClearFlag(int pfn, int flag) {
        return ((int) INTS.getAndBitwiseAnd(flags, pfn, ~(1 << flag)) & (1 << flag)) != 0;
    }

    /** Atomically sets every flag of a mask (one set_bit() per flag, as one read-modify-write). */
    void setFlags(int pfn, int mask) {
        INTS.getAndBitwiseOr(flags, pfn, mask);
    }

    /** Atomically clears every flag of a mask; returns the whole flags word as it was before. */
    int testAndClearFlags(int pfn, int mask) {
        return (int) INTS.getAndBitwiseAnd(flags, pfn, ~mask);
    }

    int flagsWord(int pfn) {
        return (int) INTS.getVolatile(flags, pfn);
    }

    // --- page_type / _mapcount ---

    PageType pageType(int pfn) {
        return PageType.ofWord((int) INTS.getVolatile(mapcountOrType, pfn));
    }

    boolean hasType(int pfn, PageType type) {
        return ((int) INTS.getVolatile(mapcountOrType, pfn) >>> 24) == type.value();
    }

    /**
     * __SetPageXxx() for a type: only on an untyped, unmapped page (VM_BUG_ON_PAGE checks that). A plain
     * store in the kernel (page->page_type = ...), made by the page's owner (for PageBuddy, under
     * zone->lock); lockless readers treat it as a hint. A release store: WRITE_ONCE with the owner's
     * earlier writes ordered before it, and no full fence.
     */
    void setType(int pfn, PageType type) {
        INTS.setRelease(mapcountOrType, pfn, type.word());
    }

    /** __ClearPageXxx() for a type: back to "no mapcount" (-1); a plain store in the kernel, as setType(). */
    void clearType(int pfn) {
        INTS.setRelease(mapcountOrType, pfn, MAPCOUNT_NONE);
    }

    /**
     * PageAerated ([PATCH v1 4/6], 2019): "the Offline page type used in conjunction with the Buddy page
     * type bit". In v5.2 page_type kept one bit per type, cleared to set it (PG_buddy 0x80, PG_offline
     * 0x100), so a page could be both; since v6.12 the type is the word's top byte, and the lab keeps
     * PageAerated as bit 0x100 of a buddy page's word below it. Setting the type again clears it.
     */
    static final int PAGE_TYPE_AERATED = 0x100;

    boolean pageAerated(int pfn) {
        int word = (int) INTS.getVolatile(mapcountOrType, pfn);
        return (word >>> 24) == PageType.BUDDY.value() && (word & PAGE_TYPE_AERATED) != 0;
    }

    /** __SetPageAerated() / __ClearPageAerated() of a buddy page (zone->lock held: a plain store). */
    void setPageAerated(int pfn, boolean on) {
        int word = (int) INTS.getVolatile(mapcountOrType, pfn);
        INTS.setRelease(mapcountOrType, pfn, on ? word | PAGE_TYPE_AERATED : word & ~PAGE_TYPE_AERATED);
    }

    /** page_mapcount(): mapcount + 1, or 0 for a typed page. */
    int mapcount(int pfn) {
        int word = (int) INTS.getVolatile(mapcountOrType, pfn);
        return PageType.ofWord(word) != null ? 0 : word + 1;
    }

    // --- _refcount (include/linux/page_ref.h) ---

    int refcount(int pfn) {
        return (int) INTS.getVolatile(refcount, pfn);
    }

    /** set_page_count(): atomic_set(), which is WRITE_ONCE (no barrier); a release store here. */
    void setRefcount(int pfn, int v) {
        INTS.setRelease(refcount, pfn, v);
    }

    /** page_ref_inc_return / page_ref_add. */
    int refAdd(int pfn, int delta) {
        return (int) INTS.getAndAdd(refcount, pfn, delta) + delta;
    }

    /** page_ref_add_unless(page, 1, 0): the atomic_inc_not_zero behind get_page_unless_zero(). */
    boolean refIncUnlessZero(int pfn) {
        int v = (int) INTS.getVolatile(refcount, pfn);
        while (v != 0) {
            int witness = (int) INTS.compareAndExchange(refcount, pfn, v, v + 1);
            if (witness == v) {
                return true;
            }
            v = witness;
        }
        return false;
    }

    // --- pageblock flags (mm/page_alloc.c get_pfnblock_migratetype / set_pageblock_migratetype) ---

    MigrateType pageblockMigratetype(int pfn) {
        return MigrateType.of((byte) BYTES.getVolatile(pageblockFlags, pfn >> Mm.PAGEBLOCK_ORDER) & PB_MIGRATETYPE_MASK);
    }

    /** set_pageblock_migratetype(): under zone->lock, but racing with lockless skip-bit updates, hence the cmpxchg. */
    void setPageblockMigratetype(int pfn, MigrateType mt) {
        int i = pfn >> Mm.PAGEBLOCK_ORDER;
        byte old;
        do {
            old = (byte) BYTES.getVolatile(pageblockFlags, i);
        } while (!BYTES.compareAndSet(pageblockFlags, i, old, (byte) ((old & ~PB_MIGRATETYPE_MASK) | mt.ordinal())));
    }

    /** get_pageblock_skip(). */
    boolean pageblockSkip(int pfn) {
        return ((byte) BYTES.getVolatile(pageblockFlags, pfn >> Mm.PAGEBLOCK_ORDER) & PB_MIGRATE_SKIP) != 0;
    }

    /** set_pageblock_skip() / clear_pageblock_skip(): atomic, so a concurrent migratetype change is never lost. */
    void setPageblockSkip(int pfn, boolean skip) {
        int i = pfn >> Mm.PAGEBLOCK_ORDER;
        if (skip) {
            BYTES.getAndBitwiseOr(pageblockFlags, i, (byte) PB_MIGRATE_SKIP);
        } else {
            BYTES.getAndBitwiseAnd(pageblockFlags, i, (byte) ~PB_MIGRATE_SKIP);
        }
    }

    // --- compound pages: tail pages point at their head through lru.next, as compound_head does ---

    static int encodeCompoundHead(int headPfn) {
        return -headPfn - 2;
    }

    /** compound_head(): the head PFN of a tail page, or the page itself. */
    int compoundHead(int pfn) {
        int n = next[pfn];
        return n <= -2 && n > PageLists.LIST_POISON_MIN ? -n - 2 : pfn;
    }

    boolean isTail(int pfn) {
        return compoundHead(pfn) != pfn;
    }

    /** compound_order(): kept in the first tail page's second word, as 5.x kernels did. */
    int compoundOrder(int pfn) {
        return testFlag(pfn, org.mmlab.mm.PageFlags.PG_head) ? prev[pfn + 1] : 0;
    }
}
