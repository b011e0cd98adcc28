package org.mmlab.mm.internal;

import org.mmlab.mm.MigrateMode;

/**
 * SKELETON (the migration engineer fills it in). Models mm/migrate.c. Lists of pages to migrate
 * are list heads in the memmap threaded through page->lru, as cc->migratepages is.
 */
public final class Migrate {
    /** get_new_folio (compaction_alloc): a free page of this order for src, or Mm.NO_PAGE. */
    public interface NewPage {
        int alloc(int srcPfn, int order);
    }

    /** put_new_folio (compaction_free): give back a target page that was not used. */
    public interface FreeNewPage {
        void free(int pfn, int order);
    }

    /** enum migrate_reason, the ones the simulation has. */
    public enum Reason { COMPACTION, SYSCALL }

    final GuestMemory guest;

    Migrate(GuestMemory guest) {
        this.guest = guest;
    }

    /**
     * folio_isolate_lru(): take an LRU page off its LRU list under lru_lock, clearing PG_lru and
     * keeping a reference, so migration owns it. False if it was not on the LRU (or is being freed).
     */
    public boolean isolateLruPage(int pfn) {
        throw new UnsupportedOperationException();
    }

    /** The lockless hint compaction's scanner uses before trying to isolate a non-LRU page (per contract). */
    public boolean pageHasMovableOps(int pfn) {
        throw new UnsupportedOperationException();
    }

    /** isolate_movable_page() / isolate_movable_ops_page() per the configured contract. */
    public boolean isolateMovablePage(int pfn, int isolateMode) {
        throw new UnsupportedOperationException();
    }

    /**
     * migrate_pages(): migrate every page on the list at fromHead to a page from getNew, with the
     * kernel's retry passes for -EAGAIN; pages that failed stay on the list for the caller to put
     * back. Returns the number that were not migrated; nrSucceeded[0] gets the number migrated.
     */
    public int migratePages(int fromHead, NewPage getNew, FreeNewPage putNew, MigrateMode mode, Reason reason,
            int[] nrSucceeded) {
        throw new UnsupportedOperationException();
    }

    /** putback_movable_pages(): LRU pages back to the LRU, movable pages to their owner, references dropped. */
    public void putbackMovablePages(int head) {
        throw new UnsupportedOperationException();
    }
}
