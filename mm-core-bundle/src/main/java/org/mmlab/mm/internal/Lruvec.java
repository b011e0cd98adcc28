package org.mmlab.mm.internal;

import org.mmlab.mm.PageFlags;

/**
 * Models struct lruvec (mm/swap.c, mm/vmscan.c) for the one node: the anon LRU lists that user
 * pages sit on while PG_lru is set, under lru_lock. Compaction isolates pages from here.
 */
public final class Lruvec {
    /** lruvec->lru_lock. */
    final DepMapLock lruLock;
    /** LRU_INACTIVE_ANON: where new anon pages start. */
    final int inactiveAnon;
    private final MemMap map;
    private final PageLists lists;
    private final VmStat vmstat;
    /** NR_ZONE_INACTIVE_ANON per zone. */
    private final long[] zoneInactiveAnon;
    private final PageAlloc alloc;

    Lruvec(MemMap map, PageLists lists, VmStat vmstat, PageAlloc alloc, Lockdep lockdep) {
        this.lruLock = new DepMapLock(lockdep, "lru_lock");
        this.map = map;
        this.lists = lists;
        this.vmstat = vmstat;
        this.alloc = alloc;
        this.inactiveAnon = map.allocListHead();
        this.zoneInactiveAnon = new long[alloc.zones.length];
    }

    /** folio_add_lru(): PG_lru set, at the head of the inactive anon list. */
    void add(int pfn) {
        lruLock.lock();
        try {
            map.setFlag(pfn, PageFlags.PG_lru);
            lists.add(pfn, inactiveAnon);
            account(pfn, 1);
        } finally {
            lruLock.unlock();
        }
    }

    /** lruvec_del_folio() + __folio_clear_lru_flags(), with lru_lock held by the caller. */
    void delLocked(int pfn) {
        if (map.testAndClearFlag(pfn, PageFlags.PG_lru)) {
            lists.del(pfn);
            account(pfn, -1);
        }
    }

    /**
     * lruvec_del_folio() for a page whose PG_lru the caller test-and-cleared (folio_test_clear_lru())
     * while holding a reference, with lru_lock held (isolate_migratepages_block()).
     */
    void delFolioLocked(int pfn) {
        if (!lruLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("lruvec_del_folio() without lru_lock, pfn " + Integer.toHexString(pfn));
        }
        lists.del(pfn);
        account(pfn, -1);
    }

    /** __page_cache_release(): a page whose last reference went leaves the LRU. */
    void release(int pfn) {
        if (!map.testFlag(pfn, PageFlags.PG_lru)) {
            return;
        }
        lruLock.lock();
        try {
            delLocked(pfn);
        } finally {
            lruLock.unlock();
        }
    }

    /** lruvec_add_folio()/lruvec_del_folio() count every page of a large folio, not one per folio. */
    private void account(int pfn, int delta) {
        long nr = (long) delta << map.compoundOrder(pfn);
        zoneInactiveAnon[alloc.zoneOf(pfn).idx] += nr;
        vmstat.add(VmItem.NR_INACTIVE_ANON, nr);
    }

    public long zoneInactiveAnon(int zoneIdx) {
        return zoneInactiveAnon[zoneIdx];
    }
}
