package org.mmlab.mm.internal;

import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;

/**
 * One kernel era's part of mm/migrate.c for pages that are not on the LRU: how such a page is
 * recognised, isolated, migrated and put back, and which driver owns it. {@link Migrate} picks one
 * implementation at boot ({@link BalloonCompaction2012}, {@link NonLruMovable2016},
 * {@link MovableOps2025}); what is the same in every era (seed 001's isolation order, migrate_pages()
 * with its retries, the migration lists, the references of a successful migration) stays in Migrate.
 */
interface MovableContract {
    MigrationContract contract();

    /**
     * The lockless hint isolate_migratepages_block() tests before it tries a non-LRU page (2012
     * balloon_page_movable(), 2016 __PageMovable(), 2025 page_has_movable_ops()), read by kernel code
     * in function; function null is the lab's own look, which reports nothing.
     */
    boolean pageHasMovableOps(int pfn, String function);

    /** The era's isolated flag (PageIsolated() 2016, PageMovableOpsIsolated() 2025); 2012 has none. */
    boolean pageMovableIsolated(int pfn);

    /** 2025's folio_get_nontail_page(): a tail page is never isolated; the older eras try any page. */
    default boolean skipsTailPages() {
        return false;
    }

    /** Isolation's lockless re-check once the reference is held, before trylock_page(). */
    default boolean isolateBeforeLock(int pfn) {
        return true;
    }

    /**
     * With a reference and the page lock held: re-test and take the page from its owner; true if it is
     * now isolated (then recorded with {@link Migrate#markIsolatedMovable}).
     */
    boolean isolateLocked(int pfn, int isolateMode);

    /** putback_movable_pages() asks: is this isolated page a movable (non-LRU) one, by the era's test? */
    boolean isMovable(int pfn);

    /** The era's putback of one isolated page, already off the migration list; drops the isolation reference. */
    void putback(int pfn);

    /**
     * unmap_and_move() found src's other references gone while it was isolated (its owner released it):
     * what the era does before migrate_folio_done() frees it.
     */
    default void releasedWhileIsolated(int src, int freeHead) {
    }

    /** The new page's trylock failed: the era's answer (an errno, or a BUG it throws). */
    int newPageLockFailed(int dst);

    /** The era's migrate step, both pages locked: 0, -EAGAIN, or another errno. */
    int migrate(int dst, int src, MigrateMode mode);

    /**
     * After a successful migration, does the new page keep its allocation reference as its owner's
     * (2012: balloon_page_free() drops src's isolation and balloon references instead), or did the
     * owner take its own (2016, 2025)?
     */
    default boolean newPageKeepsAllocationReference() {
        return false;
    }

    /** The registration that owns a movable page now (for the registry and its counters), or null. */
    MovableOwners.Registration ownerOf(int pfn);
}
