package org.mmlab.mm;

/**
 * enum pageflags (include/linux/page-flags.h, 6.x order): bit numbers in a page's flags word.
 * The aliases are the kernel's: one bit means different things for different kinds of page.
 */
public final class PageFlags {
    public static final int PG_locked = 0;
    public static final int PG_writeback = 1;
    public static final int PG_referenced = 2;
    public static final int PG_uptodate = 3;
    public static final int PG_dirty = 4;
    public static final int PG_lru = 5;
    public static final int PG_head = 6;
    /** Someone sleeps in lock_page() on this page: unlock_page() must wake the hashed wait queue. */
    public static final int PG_waiters = 7;
    public static final int PG_active = 8;
    public static final int PG_workingset = 9;
    public static final int PG_owner_priv_1 = 10;
    public static final int PG_owner_2 = 11;
    public static final int PG_arch_1 = 12;
    public static final int PG_reserved = 13;
    public static final int PG_private = 14;
    public static final int PG_private_2 = 15;
    public static final int PG_reclaim = 16;
    public static final int PG_swapbacked = 17;
    public static final int PG_unevictable = 18;
    public static final int PG_dropbehind = 19;
    public static final int PG_mlocked = 20;
    public static final int NR_PAGEFLAGS = 21;

    /** PG_reported = PG_uptodate: a free (buddy) page already reported to the host by free page reporting. */
    public static final int PG_reported = PG_uptodate;
    /** PG_movable_ops = PG_uptodate (2025): a typed page whose migration goes through registered movable_ops. */
    public static final int PG_movable_ops = PG_uptodate;
    /** PG_movable_ops_isolated = PG_reclaim (2025; PG_isolated in 2016-2025): isolated for migration. */
    public static final int PG_movable_ops_isolated = PG_reclaim;
    /** PG_isolated = PG_reclaim: the 2016 (Minchan Kim) name of the isolation bit. */
    public static final int PG_isolated = PG_reclaim;
    /**
     * PG_anon_exclusive = PG_owner_2 (6.12; PG_mappedtodisk from 5.19, when David Hildenbrand added it):
     * on a page of an anonymous folio, no other process may map it, so it can be written without a copy.
     */
    public static final int PG_anon_exclusive = PG_owner_2;

    /** PAGE_FLAGS_CHECK_AT_FREE: none of these may be set when a page is freed to the buddy allocator. */
    public static final int PAGE_FLAGS_CHECK_AT_FREE = bit(PG_lru) | bit(PG_locked) | bit(PG_private) | bit(PG_private_2)
            | bit(PG_writeback) | bit(PG_reserved) | bit(PG_active) | bit(PG_unevictable) | bit(PG_mlocked);
    /** PAGE_FLAGS_CHECK_AT_PREP: all flags but the zone bits must be clear on a page leaving the allocator. */
    public static final int PAGE_FLAGS_CHECK_AT_PREP = (1 << NR_PAGEFLAGS) - 1;

    private static final String[] NAMES = {"locked", "writeback", "referenced", "uptodate", "dirty", "lru", "head",
        "waiters", "active", "workingset", "owner_priv_1", "owner_2", "arch_1", "reserved", "private", "private_2",
        "reclaim", "swapbacked", "unevictable", "dropbehind", "mlocked"};

    private PageFlags() {
    }

    public static int bit(int flag) {
        return 1 << flag;
    }

    /** %pGp: the set flags by name, joined with '|', as dump_page() prints them. */
    public static String format(int flags) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < NR_PAGEFLAGS; i++) {
            if ((flags & (1 << i)) != 0) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(NAMES[i]);
            }
        }
        return sb.toString();
    }
}
