package org.mmlab.mm;

/**
 * enum pagetype (include/linux/page-flags.h): the top byte of page->page_type, which shares its
 * word with _mapcount. A page has at most one type; an untyped page keeps a mapcount there instead.
 */
public enum PageType {
    BUDDY(0xf0, "buddy"),
    /** Logically offline: e.g. inflated in a balloon. Content is stale; only the owner may touch it. */
    OFFLINE(0xf1, "offline"),
    TABLE(0xf2, "table"),
    GUARD(0xf3, "guard"),
    HUGETLB(0xf4, "hugetlb"),
    SLAB(0xf5, "slab"),
    ZSMALLOC(0xf6, "zsmalloc"),
    UNACCEPTED(0xf7, "unaccepted"),
    LARGE_KMALLOC(0xf8, "large_kmalloc");

    /** PGTY_mapcount_underflow: a top byte of 0xff is a (possibly underflowed) mapcount, not a type. */
    public static final int PGTY_MAPCOUNT_UNDERFLOW = 0xff;

    private final int value;
    private final String kernelName;

    PageType(int value, String kernelName) {
        this.value = value;
        this.kernelName = kernelName;
    }

    /** The PGTY_* value stored in the top byte of page_type. */
    public int value() {
        return value;
    }

    public String kernelName() {
        return kernelName;
    }

    /** The page_type word of a page of this type: PGTY_xxx << 24, low bits clear. */
    public int word() {
        return value << 24;
    }

    /** The type encoded in a page_type/_mapcount word, or null when the word is a mapcount. */
    public static PageType ofWord(int word) {
        int top = word >>> 24;
        if (top < 0xf0 || top >= PGTY_MAPCOUNT_UNDERFLOW) {
            return null;
        }
        return BY_TOP[top - 0xf0];
    }

    /** The types by top byte - 0xf0, made once: values() copies its array on every call (and this is per page). */
    private static final PageType[] BY_TOP = new PageType[PGTY_MAPCOUNT_UNDERFLOW - 0xf0];

    static {
        for (PageType t : values()) {
            BY_TOP[t.value - 0xf0] = t;
        }
    }
}
