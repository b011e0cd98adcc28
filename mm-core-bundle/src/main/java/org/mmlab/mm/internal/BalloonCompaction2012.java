package org.mmlab.mm.internal;

import org.mmlab.mm.BalloonHooks2012;
import org.mmlab.mm.Errno;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;

/**
 * Models mm/balloon_compaction.c and the balloon branches of mm/migrate.c of v3.8 (Rafael Aquini,
 * 2012, commit 18468d93e53b; seed 000): a balloon page is one whose page->mapping is a balloon
 * mapping (AS_BALLOON_MAP), isolated and put back through its balloon_dev_info's hooks and migrated
 * by the driver's a_ops->migratepage.
 *
 * <p>Seed 000's rules, as the core keeps them:
 * <ol type="i">
 * <li>page->mapping of a balloon page changes only under the page lock, then b_dev_info->pages_lock;</li>
 * <li>the reference is raised before a page leaves the balloon's list and dropped when it goes back;</li>
 * <li>after the lockless scan, isolation re-tests page->mapping and the refcount under the page lock.</li>
 * </ol>
 */
final class BalloonCompaction2012 implements MovableContract {
    private final Migrate migrate;
    private final GuestMemory guest;
    private final MemMap map;

    BalloonCompaction2012(Migrate migrate) {
        this.migrate = migrate;
        this.guest = migrate.guest;
        this.map = guest.map;
    }

    @Override
    public MigrationContract contract() {
        return MigrationContract.BALLOON_2012;
    }

    /**
     * mapping_balloon(page->mapping): the balloon mapping a page points to, or null
     * (__is_movable_balloon_page()), read by kernel code in function: KASAN and KMSAN check the read
     * ({@link MappingSlab#use}). Function null is the lab's own look (the owner registry): it sees only
     * live mappings and reports nothing.
     */
    AddressSpaceImpl balloonMapping(int pfn, String function) {
        return balloonMapping(pfn, function, false);
    }

    /**
     * The two loads of __is_movable_balloon_page(): page->mapping, then mapping->flags. In the lockless
     * test kernel code stops between them at balloon.mapping_balloon: nothing keeps the mapping alive there
     * (race 13).
     */
    private AddressSpaceImpl balloonMapping(int pfn, String function, boolean lockless) {
        int word = guest.storeBuffer.loadMapping(pfn);
        if (word == 0 || (word & MemMap.PAGE_MAPPING_FLAGS) != 0) {
            return null;
        }
        if (lockless && function != null) {
            guest.modules.table.at(InjectionPoints.BALLOON_MAPPING_BALLOON, pfn);
        }
        AddressSpaceImpl a = function == null ? guest.slab.peek(word) : guest.slab.use(word, function);
        return a != null && a.balloon ? a : null;
    }

    /**
     * balloon_page_movable(): page_flags_cleared() (no PAGE_FLAGS_CHECK_AT_PREP flag, so not locked
     * either), !page_mapped(), page_count() == 1, and a balloon mapping. Lockless: false positives are
     * re-tested under the page lock; at most the zone's lru_lock is held, so the mapping may be freed between
     * the load of page->mapping and that of mapping->flags (v3.8's rules keep page->mapping, not the
     * mapping's memory: balloon_page_dequeue() clears it under the page lock, then the driver's remove
     * kfree()s the mapping).
     */
    boolean balloonPageMovable(int pfn, String function) {
        return (map.flagsWord(pfn) & PageFlags.PAGE_FLAGS_CHECK_AT_PREP) == 0 && map.mapcount(pfn) == 0
                && map.refcount(pfn) == 1 && balloonMapping(pfn, function, true) != null;
    }

    @Override
    public boolean pageHasMovableOps(int pfn, String function) {
        return balloonPageMovable(pfn, function);
    }

    /** v3.8 has no isolated flag: page_count 2 says it. */
    @Override
    public boolean pageMovableIsolated(int pfn) {
        return false;
    }

    /*
     * balloon_page_isolate(), rules ii and iii: the reference (taken by the caller) is what
     * balloon_page_putback() drops when the page goes back; under the page lock, re-test that
     * page->mapping is still a balloon mapping and that the count is exactly 2 (the balloon's and ours):
     * a page being released (count 1 + ours, no mapping) or already isolated (3) is left alone.
     */
    @Override
    public boolean isolateLocked(int pfn, int isolateMode) {
        AddressSpaceImpl m = balloonMapping(pfn, "balloon_page_isolate");
        if (guest.debug.isolateRetest() && (m == null || map.refcount(pfn) != 2)) {
            return false;
        }
        if (m == null) {
            // without rule iii: balloon_page_device(page) reads page->mapping->private_data
            throw guest.debug.nullPointerDereference(0x8, "__isolate_balloon_page+0x1c/0x90");
        }
        if (!guest.modules.pinForIsolation(m.owner.bundleId, pfn)) {
            return false;
        }
        BalloonHooks2012 b = m.balloonHooks();
        if (b != null) {
            try (ModuleCall c = guest.modules.enter(m.owner.bundleId, InjectionPoints.CALL_ISOLATE_BALLOON_PAGE, pfn)) {
                b.isolatePage(pfn); // off the device list, isolated_pages++
            }
        }
        migrate.markIsolatedMovable(pfn);
        m.owner.isolations.increment();
        return true;
    }

    /**
     * __is_movable_balloon_page(): the v3.8 code tested balloon_page_movable() here, which fails on an
     * isolated page (count 2, locked); fixed in v3.12 and 3.14 stable. KASAN reports a stale mapping,
     * and the kernel goes on with the flags it read.
     */
    @Override
    public boolean isMovable(int pfn) {
        if (balloonMapping(pfn, "putback_movable_pages") != null) {
            return true;
        }
        AddressSpaceImpl read = guest.slab.read(map.mapping[pfn]);
        return read != null && read.balloon && (map.mapping[pfn] & MemMap.PAGE_MAPPING_FLAGS) == 0;
    }

    /*
     * balloon_page_putback(): lock_page() stabilizes the page against concurrent isolation; if it is
     * still a balloon page, __putback_balloon_page() (onto the device list, isolated_pages--) and the
     * isolation reference dropped (rule ii). Otherwise v3.8 WARNs and keeps the reference: a leak.
     */
    @Override
    public void putback(int pfn) {
        migrate.lockPageSleeping(pfn);
        try {
            migrate.clearIsolated(pfn);
            AddressSpaceImpl m = balloonMapping(pfn, "balloon_page_putback");
            if (m != null) {
                BalloonHooks2012 b = m.balloonHooks();
                if (b != null) {
                    try (ModuleCall c = guest.modules.enter(m.owner.bundleId, InjectionPoints.CALL_PUTBACK_BALLOON_PAGE, pfn)) {
                        b.putbackPage(pfn);
                    }
                }
                m.owner.putBack.increment();
                guest.putPageInside(pfn); // drop the extra ref count taken for page isolation
            } else {
                guest.debug.warn("WARN_ON(1): balloon_page_putback of a page that is no longer a balloon page\n"
                        + guest.debug.dumpPage(pfn, "balloon_page_putback"), "mm/balloon_compaction.c",
                        "balloon_page_putback");
            }
        } finally {
            guest.pageLock.unlock(pfn);
        }
    }

    /** v3.8 balloon_page_migrate(): BUG_ON(!trylock_page(newpage)). */
    @Override
    public int newPageLockFailed(int dst) {
        throw guest.debug.vmBugOnPage(dst, "!trylock_page(newpage)", "mm/balloon_compaction.c");
    }

    /*
     * balloon_page_migrate(): WARN unless page->mapping is still a balloon mapping, then the driver's
     * a_ops->migratepage(mapping, newpage, page, mode) with both pages locked. On success the driver has
     * inserted newpage into the balloon (rule i: page lock, then its pages_lock) and deleted page from it.
     */
    @Override
    public int migrate(int dst, int src, MigrateMode mode) {
        AddressSpaceImpl m = balloonMapping(src, "balloon_page_migrate");
        if (m == null) {
            guest.debug.warn("WARN_ON(!__is_movable_balloon_page(page))\n"
                    + guest.debug.dumpPage(src, "balloon_page_migrate"), "mm/balloon_compaction.c",
                    "balloon_page_migrate");
            return -Errno.EAGAIN;
        }
        try (ModuleCall c = guest.modules.enter(m.owner.bundleId, InjectionPoints.CALL_A_OPS_MIGRATEPAGE, src)) {
            return m.aOps.migratepage(m, dst, src, mode);
        }
    }

    /**
     * MIGRATEPAGE_BALLOON_SUCCESS: balloon_page_free() drops the old page's isolation reference and the
     * balloon's; the new page keeps its allocation reference as the balloon's.
     */
    @Override
    public boolean newPageKeepsAllocationReference() {
        return true;
    }

    @Override
    public MovableOwners.Registration ownerOf(int pfn) {
        AddressSpaceImpl m = balloonMapping(pfn, null);
        return m == null ? null : m.owner;
    }
}
