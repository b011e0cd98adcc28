package org.mmlab.mm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.BitSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.mmlab.mm.BalloonDevInfo;
import org.mmlab.mm.Errno;
import org.mmlab.mm.InjectionPoints;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.ModuleCall;
import org.mmlab.mm.Mm;
import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * Models mm/migrate.c: taking pages off their owners for migration (folio_isolate_lru() for user
 * pages; for the others isolate_movable_page() in the contract this guest runs), migrate_pages()
 * with the kernel's retry passes, putback_movable_pages(), and set_movable_ops(). Lists of pages to
 * migrate are list heads in the memmap threaded through page->lru, as cc->migratepages is.
 *
 * <p>Locks, outermost first, as in the kernel: the page lock of the page being moved (then, nested,
 * the new page's, which is always free of contention so it is only try-locked); a process's ptl
 * (WorkloadProcess, to swap a PTE with a migration entry and back); lru_lock; zone->lock. No zone
 * lock or lru_lock is held while a driver's callback runs or while waiting for a page lock. Every
 * entry point runs inside stop_machine's read section; a task that sleeps on a page lock leaves it
 * while it sleeps (as a sleeping task does not hold off stop_machine), so mm:check may see a
 * migration between its steps: isolated pages are recorded here for it ({@link #isolatedLru},
 * {@link #isolatedMovable}) and free pages a caller keeps on a private list can be registered
 * ({@link #trackIsolatedFreeList}).
 */
public final class Migrate {
    /** NR_MAX_MIGRATE_PAGES_RETRY: passes over the list for pages that returned -EAGAIN. */
    public static final int NR_MAX_MIGRATE_PAGES_RETRY = 10;
    /** MIGRATEPAGE_SUCCESS (plain 0 since 2025-08). */
    public static final int MIGRATEPAGE_SUCCESS = 0;
    /**
     * Freed source pages migrate_pages() collects before it gives them to the buddy allocator under
     * one zone->lock hold: pcp->batch, as zone_batchsize() sets it for a zone of 256 MiB or more (the
     * per-cpu list then goes to the buddy allocator in free_pcppages_bulk()).
     */
    static final int FREE_BATCH = 63;
    /** No batch of freed pages (callers outside migrate_pages()). */
    private static final int NO_BATCH = -1;
    /** The page flags folio_migrate_flags() hands to the new page, and the ones it takes from the old. */
    private static final int COPIED_FLAGS = 1 << PageFlags.PG_referenced | 1 << PageFlags.PG_uptodate
            | 1 << PageFlags.PG_dirty | 1 << PageFlags.PG_workingset | 1 << PageFlags.PG_swapbacked;
    private static final int MOVED_FLAGS = 1 << PageFlags.PG_active | 1 << PageFlags.PG_unevictable
            | 1 << PageFlags.PG_mlocked;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

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

    /** A page type's movable_ops as set_movable_ops() registered them (2025), with their owner. */
    record OpsRegistration(MovableOperations ops, PageType type, MovableOwners.Registration owner) {
    }

    final GuestMemory guest;
    private final MemMap map;
    private final PageLists lists;
    private final PageLock pageLock;
    private final MmDebug debug;
    final MigrationContract contract;
    final MovableOwners owners = new MovableOwners();

    /*
     * 2025 (v6.17 + the 2025-08 fix): static pointers set by set_movable_ops(), one per page type that
     * may have movable_ops. "We only allow for selected types and don't handle concurrent registration
     * attempts yet": no RCU, no reference count; set_movable_ops(NULL) while pages of the type are
     * isolated leaves migration with a NULL pointer, as in the kernel.
     */
    private volatile OpsRegistration offlineMovableOps;
    private volatile OpsRegistration zsmallocMovableOps;

    /**
     * Pages on a migration list now, by kind: taken off the LRU (PG_lru clear, NR_ISOLATED_ANON) or
     * isolated from their movable-page owner. The kernel keeps no such record (an isolated page is
     * one that a list holds a reference on); mm:check uses it to account pages in flight.
     */
    private final long[] lruIsolated;
    private final long[] movableIsolated;
    /** List heads whose pages are free pages a caller took from the buddy allocator (refcount 0). */
    private final Set<Integer> isolatedFreeLists = ConcurrentHashMap.newKeySet();
    /** WARN_ON_ONCE() sites that fired. */
    private final Set<String> warnedOnce = ConcurrentHashMap.newKeySet();

    Migrate(GuestMemory guest) {
        this.guest = guest;
        this.map = guest.map;
        this.lists = guest.lists;
        this.pageLock = guest.pageLock;
        this.debug = guest.debug;
        this.contract = guest.config.migrationContract;
        int words = (map.nrPages + 63) >>> 6;
        lruIsolated = new long[words];
        movableIsolated = new long[words];
    }

    public MigrationContract contract() {
        return contract;
    }

    // ================================================================== LRU pages

    /**
     * folio_isolate_lru(): take an LRU page off its LRU list under lru_lock, clearing PG_lru and
     * keeping a reference, so migration owns it. False if it was not on the LRU (or is being freed).
     * Counts NR_ISOLATED_ANON itself (the kernel's callers do it right after). Large folios are not
     * isolated: the simulation migrates order-0 pages only.
     */
    public boolean isolateLruPage(int pfn) {
        guest.checkPfn(pfn);
        guest.stopMachine.enter();
        try {
            return folioIsolateLru(pfn);
        } finally {
            guest.stopMachine.exit();
        }
    }

    /**
     * {@link #isolateLruPage} for a caller already inside the stop_machine read section (compaction's
     * migrate scanner), without a nested enter/exit per page.
     */
    boolean folioIsolateLru(int pfn) {
        // the reference first, so that the page cannot be freed under us once we find it on the LRU
        if (!map.refIncUnlessZero(pfn)) {
            return false;
        }
        boolean isolated = false;
        Lruvec lru = guest.lruvec;
        lru.lruLock.lock();
        try {
            if (!map.testFlag(pfn, PageFlags.PG_head) && map.testFlag(pfn, PageFlags.PG_lru)) {
                lru.delLocked(pfn); // clears PG_lru
                isolated = true;
            }
        } finally {
            lru.lruLock.unlock();
        }
        if (!isolated) {
            guest.putPageInside(pfn); // isolate_fail_put: it may have been the last reference
            return false;
        }
        accountIsolatedLru(pfn);
        return true;
    }

    /** After an LRU page left its list for a migration list: recorded for mm:check, and NR_ISOLATED_ANON. */
    void accountIsolatedLru(int pfn) {
        setBit(lruIsolated, pfn);
        guest.vmstat.add(VmItem.NR_ISOLATED_ANON, 1);
    }

    /** The page is on a migration list, taken off the LRU by {@link #isolateLruPage}. */
    public boolean isolatedLru(int pfn) {
        return testBit(lruIsolated, pfn);
    }

    /** The page is on a migration list, isolated from its movable-page owner. */
    public boolean isolatedMovable(int pfn) {
        return testBit(movableIsolated, pfn);
    }

    /**
     * Registers a list head whose entries are free pages the caller isolated from the buddy
     * allocator (refcount 0, off the free lists; each the head of a block whose order is in
     * page->private, as isolate_freepages_block() leaves them), so that mm:check accounts them while
     * they wait there. Unregister with {@link #untrackIsolatedFreeList} before freeing the head.
     */
    public void trackIsolatedFreeList(int head) {
        isolatedFreeLists.add(head);
    }

    public void untrackIsolatedFreeList(int head) {
        isolatedFreeLists.remove(head);
    }

    Set<Integer> isolatedFreeLists() {
        return Set.copyOf(isolatedFreeLists);
    }

    /** Snapshots of the isolated-page records for mm:check (machine stopped). */
    BitSet isolatedLruPages() {
        return bits(lruIsolated);
    }

    BitSet isolatedMovablePages() {
        return bits(movableIsolated);
    }

    // ================================================================== movable (non-LRU) pages: lookups

    /**
     * The lockless hint compaction's scanner uses before trying to isolate a non-LRU page (per contract):
     * 2012 balloon_page_movable(), 2016 __PageMovable(), 2025 page_has_movable_ops(). The scanner's
     * test is {@code pageHasMovableOps(pfn) && !pageMovableIsolated(pfn)}, as isolate_migratepages_block()
     * does; isolation re-checks everything under the page lock.
     */
    public boolean pageHasMovableOps(int pfn) {
        return pageHasMovableOps(pfn, "isolate_migratepages_block");
    }

    /** The same test by kernel code in function, or by the lab's own look (function null: nothing is reported). */
    boolean pageHasMovableOps(int pfn, String function) {
        switch (contract) {
            case BALLOON_2012:
                return balloonPageMovable(pfn, function);
            case NON_LRU_2016:
                return pageMovableHint(pfn);
            default:
                return pageHasMovableOps2025(pfn);
        }
    }

    /** PageIsolated() (2016) / PageMovableOpsIsolated() (2025); 2012 has no flag (page_count 2 says it). */
    public boolean pageMovableIsolated(int pfn) {
        return contract != MigrationContract.BALLOON_2012 && map.testFlag(pfn, PageFlags.PG_isolated);
    }

    /**
     * mapping_balloon(page->mapping): the 2012 balloon mapping a page points to, or null
     * (__is_movable_balloon_page()), read by kernel code in function: KASAN and KMSAN check the read
     * ({@link MappingSlab#use}). Function null is the lab's own look (the owner registry): it sees only
     * live mappings and reports nothing.
     */
    AddressSpaceImpl balloonMapping(int pfn, String function) {
        int word = guest.storeBuffer.loadMapping(pfn);
        if (word == 0 || (word & MemMap.PAGE_MAPPING_FLAGS) != 0) {
            return null;
        }
        AddressSpaceImpl a = function == null ? guest.slab.peek(word) : guest.slab.use(word, function);
        return a != null && a.balloon ? a : null;
    }

    /**
     * balloon_page_movable() (2012): page_flags_cleared() (no PAGE_FLAGS_CHECK_AT_PREP flag, so not
     * locked either), !page_mapped(), page_count() == 1, and a balloon mapping. Lockless: false
     * positives are re-tested under the page lock.
     */
    boolean balloonPageMovable(int pfn, String function) {
        return (map.flagsWord(pfn) & PageFlags.PAGE_FLAGS_CHECK_AT_PREP) == 0 && map.mapcount(pfn) == 0
                && map.refcount(pfn) == 1 && balloonMapping(pfn, function) != null;
    }

    /** __PageMovable() (2016): (page->mapping &amp; PAGE_MAPPING_FLAGS) == PAGE_MAPPING_MOVABLE. */
    boolean pageMovableHint(int pfn) {
        return (map.mapping[pfn] & MemMap.PAGE_MAPPING_FLAGS) == MemMap.PAGE_MAPPING_MOVABLE;
    }

    /**
     * page_mapping() of a 2016 movable page: its address_space, or null once __ClearPageMovable() ran;
     * read by kernel code in function (checked), or by the lab (function null), as {@link #balloonMapping}.
     */
    AddressSpaceImpl movableMapping(int pfn, String function) {
        int word = map.mapping[pfn];
        if ((word & MemMap.PAGE_MAPPING_FLAGS) != MemMap.PAGE_MAPPING_MOVABLE || MemMap.mappingHandle(word) == 0) {
            return null;
        }
        return function == null ? guest.slab.peek(word) : guest.slab.use(word, function);
    }

    /**
     * PageMovable() (2016): VM_BUG_ON_PAGE(!PageLocked(page)); __PageMovable() and the mapping's a_ops
     * have isolate_page.
     */
    boolean pageMovableLocked(int pfn, String function) {
        if (debug.debugVm() && !map.testFlag(pfn, PageFlags.PG_locked)) {
            throw debug.vmBugOnPage(pfn, "!PageLocked(page)", "mm/compaction.c:98");
        }
        if (!pageMovableHint(pfn)) {
            return false;
        }
        AddressSpaceImpl m = movableMapping(pfn, function);
        return m != null && m.hasIsolatePage;
    }

    /** page_has_movable_ops() (2025): PG_movable_ops on a page of a type that may have movable_ops. */
    boolean pageHasMovableOps2025(int pfn) {
        return map.testFlag(pfn, PageFlags.PG_movable_ops)
                && (map.hasType(pfn, PageType.OFFLINE) || map.hasType(pfn, PageType.ZSMALLOC));
    }

    /** page_movable_ops() (2025): the ops registered for the page's type, or null. */
    OpsRegistration pageMovableOps(int pfn) {
        if (map.hasType(pfn, PageType.OFFLINE)) {
            return offlineMovableOps;
        }
        if (map.hasType(pfn, PageType.ZSMALLOC)) {
            return zsmallocMovableOps;
        }
        return null;
    }

    /** The registration that owns a movable page now, per contract (for the registry), or null. */
    MovableOwners.Registration ownerOf(int pfn) {
        switch (contract) {
            case BALLOON_2012: {
                AddressSpaceImpl m = balloonMapping(pfn, null);
                return m == null ? null : m.owner;
            }
            case NON_LRU_2016: {
                AddressSpaceImpl m = movableMapping(pfn, null);
                return m == null ? null : m.owner;
            }
            default: {
                if (!pageHasMovableOps2025(pfn)) {
                    return null;
                }
                OpsRegistration r = pageMovableOps(pfn);
                return r == null ? null : r.owner;
            }
        }
    }

    // ================================================================== set_movable_ops() (2025)

    /*
     * set_movable_ops(ops, type), mm/migrate.c (2025-08): only PGTY_offline and PGTY_zsmalloc may have
     * movable_ops (-EINVAL otherwise); ops may be set once (-EBUSY while set); NULL unregisters (zsmalloc's
     * zs_exit()). Pages keep their type and PG_movable_ops meanwhile: unregistering while such pages exist
     * is the driver's bug, which migration then hits as a NULL pointer.
     */
    synchronized int setMovableOps(MovableOperations ops, PageType type, MovableOwners.Registration owner) {
        if (type != PageType.OFFLINE && type != PageType.ZSMALLOC) {
            return -Errno.EINVAL;
        }
        OpsRegistration cur = type == PageType.OFFLINE ? offlineMovableOps : zsmallocMovableOps;
        if (ops != null && cur != null) {
            return -Errno.EBUSY;
        }
        OpsRegistration next = ops == null ? null : new OpsRegistration(ops, type, owner);
        if (ops == null && cur != null) {
            cur.owner().released = true;
        }
        if (type == PageType.OFFLINE) {
            offlineMovableOps = next;
        } else {
            zsmallocMovableOps = next;
        }
        return 0;
    }

    /** The ops registered for a type now (for mm:migration), or null. */
    MovableOperations movableOps(PageType type) {
        OpsRegistration r = type == PageType.OFFLINE ? offlineMovableOps
                : type == PageType.ZSMALLOC ? zsmallocMovableOps : null;
        return r == null ? null : r.ops();
    }

    // ================================================================== isolation of movable pages

    /**
     * isolate_movable_page() / isolate_movable_ops_page() per the configured contract. Every contract
     * follows the order of seed 001: get_page_unless_zero() (a page on its way to being freed is
     * left alone; if we win a race with its release, our put_page() frees it), trylock_page() (never
     * sleep, and never isolate a page someone else is migrating or releasing), re-test under the lock,
     * and drop the reference on any failure. Ownership moves to the core only while a page is isolated.
     */
    public boolean isolateMovablePage(int pfn, int isolateMode) {
        guest.checkPfn(pfn);
        boolean isolated;
        guest.stopMachine.enter();
        try {
            switch (contract) {
                case BALLOON_2012:
                    isolated = isolate(pfn, isolateMode, balloonPageIsolate);
                    break;
                case NON_LRU_2016:
                    isolated = isolate(pfn, isolateMode, isolateMovablePage2016);
                    break;
                default:
                    isolated = !map.isTail(pfn) && isolate(pfn, isolateMode, isolateMovableOpsPage);
                    break;
            }
        } finally {
            guest.stopMachine.exit();
        }
        // the instant isolate_movable_page() returns, isolated or not
        guest.modules.table.at(InjectionPoints.ISOLATE_RETURN, pfn);
        return isolated;
    }

    /** A contract's part of seed 001's isolation. */
    private interface Isolator {
        /** The lockless re-check once the reference is held, before trylock_page(). */
        default boolean beforeLock(int pfn) {
            return true;
        }

        /** With the reference and the page lock held: re-test and isolate; true if the page is now isolated. */
        boolean underLock(int pfn, int isolateMode);
    }

    /*
     * Seed 001's isolation, the same in every contract: get_page_unless_zero() (a page on its way to
     * the allocator is left alone), trylock_page() (never sleep on a stranger's lock), the contract's
     * re-test and isolation under the lock, and on any failure the reference dropped again.
     */
    private boolean isolate(int pfn, int isolateMode, Isolator contractPart) {
        guest.modules.table.at(InjectionPoints.ISOLATE_GET_PAGE, pfn);
        if (!guest.debug.isolateUnlessZero()) {
            guest.getPage(pfn); // the race lab's race 7: get_page() on a page that may be on its way to the allocator
        } else if (!map.refIncUnlessZero(pfn)) {
            return false;
        }
        guest.modules.table.at(InjectionPoints.ISOLATE_TRYLOCK_PAGE, pfn);
        if (contractPart.beforeLock(pfn) && pageLock.trylock(pfn)) {
            boolean isolated;
            try {
                isolated = contractPart.underLock(pfn, isolateMode);
            } finally {
                pageLock.unlock(pfn);
            }
            if (isolated) {
                return true;
            }
        }
        guest.putPageInside(pfn);
        return false;
    }

    /*
     * 2012, balloon_page_isolate() (mm/balloon_compaction.c, v3.8), rules ii and iii of seed 000:
     * ii.  the reference is raised before the page leaves the balloon's list, and is what
     *      balloon_page_putback() drops when it goes back;
     * iii. under the page lock, re-test that page->mapping is still a balloon mapping and that the
     *      count is exactly 2 (the balloon's and ours): a page being released (count 1 + ours, no
     *      mapping) or already isolated (3) is left alone.
     */
    private final Isolator balloonPageIsolate = this::balloonPageIsolateLocked;

    private boolean balloonPageIsolateLocked(int pfn, int isolateMode) {
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
        BalloonDevInfo b = m.balloonDevInfo();
        if (b != null) {
            try (ModuleCall c = guest.modules.enter(m.owner.bundleId, InjectionPoints.CALL_ISOLATE_BALLOON_PAGE, pfn)) {
                b.isolatePage(pfn); // off the device list, isolated_pages++
            }
        }
        setBit(movableIsolated, pfn);
        m.owner.isolations.increment();
        return true;
    }

    /*
     * 2016, isolate_movable_page() (mm/migrate.c, v4.8; seed 001's order): get_page_unless_zero(),
     * trylock_page(), then under the page lock: PageMovable() (the owner has not released it:
     * __ClearPageMovable() runs under the page lock) and !PageIsolated() (nobody else is migrating
     * it), then a_ops->isolate_page(), then __SetPageIsolated() - the VM's bit, never the driver's.
     * (4.10 added a lockless __PageMovable() test before trylock_page(), so that a page just
     * allocated is never locked by a stranger; seed 001 and v4.8 have none.)
     */
    private final Isolator isolateMovablePage2016 = this::isolateMovablePage2016Locked;

    private boolean isolateMovablePage2016Locked(int pfn, int isolateMode) {
        if (!pageMovableLocked(pfn, "isolate_movable_page") || map.testFlag(pfn, PageFlags.PG_isolated)) {
            return false;
        }
        AddressSpaceImpl m = movableMapping(pfn, "isolate_movable_page");
        if (!guest.modules.pinForIsolation(m.owner.bundleId, pfn)) {
            return false;
        }
        boolean isolated;
        try (ModuleCall c = guest.modules.enter(m.owner.bundleId, InjectionPoints.CALL_A_OPS_ISOLATE_PAGE, pfn)) {
            isolated = m.aOps.isolatePage(pfn, isolateMode);
        }
        if (!isolated) {
            guest.modules.unpinIsolated(pfn);
            return false;
        }
        if (map.testFlag(pfn, PageFlags.PG_isolated)) {
            warnOnce("mm/migrate.c isolate_movable_page", "WARN_ON_ONCE(PageIsolated(page)): the"
                    + " driver set PG_isolated itself, pfn " + Integer.toHexString(pfn));
        }
        map.setFlag(pfn, PageFlags.PG_isolated);
        setBit(movableIsolated, pfn);
        m.owner.isolations.increment();
        return true;
    }

    /*
     * 2025, isolate_movable_ops_page() (mm/migrate.c, v6.17): folio_get_nontail_page() (a reference,
     * never on a tail page); page_has_movable_ops() before the lock ("once a page has movable_ops it
     * will stay that way until freed", and the owner's non-atomic flag updates of a new page must not
     * meet a stranger's lock); folio_trylock(); !PageMovableOpsIsolated(); mops->isolate_page();
     * SetPageMovableOpsIsolated() - managed by the migration core only.
     */
    private final Isolator isolateMovableOpsPage = new Isolator() {
        @Override
        public boolean beforeLock(int pfn) {
            return pageHasMovableOps2025(pfn);
        }

        @Override
        public boolean underLock(int pfn, int isolateMode) {
            if (map.testFlag(pfn, PageFlags.PG_movable_ops_isolated)) {
                return false;
            }
            OpsRegistration r = pageMovableOps(pfn);
            if (r == null) {
                warnOnce("mm/migrate.c isolate_movable_ops_page", "WARN_ON_ONCE(!mops): pfn "
                        + Integer.toHexString(pfn) + " has movable_ops, but none are registered for its type");
                return false;
            }
            if (!guest.modules.pinForIsolation(r.owner().bundleId, pfn)) {
                return false;
            }
            boolean isolated;
            try (ModuleCall c = guest.modules.enter(r.owner().bundleId, InjectionPoints.CALL_MOPS_ISOLATE_PAGE, pfn)) {
                isolated = r.ops().isolatePage(pfn, isolateMode);
            }
            if (!isolated) {
                guest.modules.unpinIsolated(pfn);
                return false;
            }
            if (map.testFlag(pfn, PageFlags.PG_movable_ops_isolated)) {
                warnOnce("mm/migrate.c isolate_movable_ops_page", "VM_WARN_ON_ONCE_PAGE("
                        + "PageMovableOpsIsolated(page)): the driver used the isolated flag, pfn "
                        + Integer.toHexString(pfn));
            }
            map.setFlag(pfn, PageFlags.PG_movable_ops_isolated);
            setBit(movableIsolated, pfn);
            r.owner().isolations.increment();
            return true;
        }
    };

    /** Is this isolated page a movable (non-LRU) one, by the test the contract's kernel used? */
    private boolean nonLru(int pfn) {
        switch (contract) {
            case BALLOON_2012:
                // __is_movable_balloon_page(): the v3.8 code tested balloon_page_movable() here, which
                // fails on an isolated page (count 2, locked); fixed in v3.12 and 3.14 stable. KASAN reports
                // a stale mapping, and the kernel goes on with the flags it read
                if (balloonMapping(pfn, "putback_movable_pages") != null) {
                    return true;
                }
                AddressSpaceImpl read = guest.slab.read(map.mapping[pfn]);
                return read != null && read.balloon && (map.mapping[pfn] & MemMap.PAGE_MAPPING_FLAGS) == 0;
            case NON_LRU_2016:
                // "we can use __PageMovable because LRU page's mapping cannot have PAGE_MAPPING_MOVABLE"
                return pageMovableHint(pfn);
            default:
                return pageHasMovableOps2025(pfn);
        }
    }

    // ================================================================== putback

    /** putback_movable_pages(): LRU pages back to the LRU, movable pages to their owner, references dropped. */
    public void putbackMovablePages(int head) {
        guest.stopMachine.enter();
        try {
            while (!lists.isEmpty(head)) {
                int pfn = lists.first(head);
                if (!lists.del(pfn)) {
                    throw new KernelBug("putback_movable_pages: migration list corrupt at pfn " + Integer.toHexString(pfn));
                }
                if (nonLru(pfn)) {
                    putbackMovablePage(pfn);
                } else {
                    folioPutbackLru(pfn);
                }
            }
        } finally {
            guest.stopMachine.exit();
        }
    }

    /** folio_putback_lru(): back on the LRU (PG_lru set), NR_ISOLATED_ANON down, the isolation reference dropped. */
    private void folioPutbackLru(int pfn) {
        clearIsolated(pfn);
        guest.lruvec.add(pfn);
        guest.putPageInside(pfn); // the owner may have let go meanwhile: then it is freed from the LRU
    }

    private void putbackMovablePage(int pfn) {
        switch (contract) {
            case BALLOON_2012:
                balloonPagePutback(pfn);
                break;
            case NON_LRU_2016:
                putbackMovablePage2016(pfn);
                break;
            default:
                putbackMovableOpsPage(pfn);
                break;
        }
    }

    /*
     * 2012, balloon_page_putback(): lock_page() stabilizes the page against concurrent isolation; if it
     * is still a balloon page, __putback_balloon_page() (onto the device list, isolated_pages--) and the
     * isolation reference dropped (rule ii). Otherwise v3.8 WARNs and keeps the reference: a leak.
     */
    private void balloonPagePutback(int pfn) {
        lockPageSleeping(pfn);
        try {
            clearIsolated(pfn);
            AddressSpaceImpl m = balloonMapping(pfn, "balloon_page_putback");
            if (m != null) {
                BalloonDevInfo b = m.balloonDevInfo();
                if (b != null) {
                    try (ModuleCall c = guest.modules.enter(m.owner.bundleId, InjectionPoints.CALL_PUTBACK_BALLOON_PAGE,
                            pfn)) {
                        b.putbackPage(pfn);
                    }
                }
                m.owner.putBack.increment();
                guest.putPageInside(pfn); // drop the extra ref count taken for page isolation
            } else {
                debug.warn("WARN_ON(1): balloon_page_putback of a page that is no longer a balloon page\n"
                        + debug.dumpPage(pfn, "balloon_page_putback"), "mm/balloon_compaction.c", "balloon_page_putback");
            }
        } finally {
            pageLock.unlock(pfn);
        }
    }

    /*
     * 2016, putback_movable_pages() for a __PageMovable() page: lock_page(); if the owner still has it
     * (PageMovable()), a_ops->putback_page(); either way __ClearPageIsolated(); unlock; put_page(),
     * which frees a page its owner released while it was isolated.
     */
    private void putbackMovablePage2016(int pfn) {
        if (debug.debugVm() && !map.testFlag(pfn, PageFlags.PG_isolated)) {
            throw debug.vmBugOnPage(pfn, "!PageIsolated(page)", "mm/migrate.c:170");
        }
        lockPageSleeping(pfn);
        try {
            if (pageMovableLocked(pfn, "putback_movable_pages")) {
                AddressSpaceImpl m = movableMapping(pfn, "putback_movable_pages");
                try (ModuleCall c = guest.modules.enter(m.owner.bundleId, InjectionPoints.CALL_A_OPS_PUTBACK_PAGE,
                        pfn)) {
                    m.aOps.putbackPage(pfn);
                }
                m.owner.putBack.increment();
            }
            map.clearFlag(pfn, PageFlags.PG_isolated);
            clearIsolated(pfn);
        } finally {
            pageLock.unlock(pfn);
        }
        guest.putPageInside(pfn);
    }

    /*
     * 2025, putback_movable_ops_page(): folio_lock(); mops->putback_page(); ClearPageMovableOpsIsolated();
     * unlock; folio_put() ("after the page was putback, it might get freed instantly").
     */
    private void putbackMovableOpsPage(int pfn) {
        if (!map.testFlag(pfn, PageFlags.PG_movable_ops_isolated)) {
            warnOnce("mm/migrate.c putback_movable_ops_page", "VM_WARN_ON_ONCE_PAGE(!PageMovableOpsIsolated(page)),"
                    + " pfn " + Integer.toHexString(pfn));
        }
        lockPageSleeping(pfn);
        try {
            OpsRegistration r = pageMovableOps(pfn);
            if (r == null) {
                throw nullMovableOps(pfn, "putback_movable_ops_page");
            }
            try (ModuleCall c = guest.modules.enter(r.owner().bundleId, InjectionPoints.CALL_MOPS_PUTBACK_PAGE, pfn)) {
                r.ops().putbackPage(pfn);
            }
            r.owner().putBack.increment();
            map.clearFlag(pfn, PageFlags.PG_movable_ops_isolated);
            clearIsolated(pfn);
        } finally {
            pageLock.unlock(pfn);
        }
        guest.putPageInside(pfn);
    }

    // ================================================================== migrate_pages()

    /**
     * migrate_pages(): migrate every page on the list at fromHead to a page from getNew, with the
     * kernel's retry passes for -EAGAIN (NR_MAX_MIGRATE_PAGES_RETRY; from the fourth pass on, the
     * synchronous modes wait for a page lock instead of giving up); pages that failed permanently or
     * still returned -EAGAIN after the last pass stay on the list for the caller to put back
     * ({@link #putbackMovablePages}). When getNew returns NO_PAGE, migration stops there ("when memory
     * is low, don't bother to try to migrate other pages") and returns -{@link Errno#ENOMEM}, with the
     * pages not tried still on the list. Otherwise returns the number of pages not migrated (0: all
     * were). nrSucceeded[0] (if given) gets the number migrated. Counts pgmigrate_success and
     * pgmigrate_fail.
     */
    public int migratePages(int fromHead, NewPage getNew, FreeNewPage putNew, MigrateMode mode, Reason reason,
            int[] nrSucceeded) {
        guest.stopMachine.enter();
        int retHead = map.allocListHead();
        // the source pages whose last reference went, on their way to the buddy allocator
        int freeHead = map.allocListHead();
        int batched = 0;
        int nrFailed = 0;
        int nrSucc = 0;
        int retry = 1;
        boolean nomem = false;
        try {
            passes:
            for (int pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && retry > 0; pass++) {
                retry = 0;
                int next;
                for (int pfn = lists.first(fromHead); pfn != fromHead; pfn = next) {
                    next = lists.next(pfn);
                    int rc = unmapAndMove(getNew, putNew, pfn, pass > 2, mode, retHead, freeHead);
                    if (rc == MIGRATEPAGE_SUCCESS) {
                        nrSucc++;
                        if (++batched >= FREE_BATCH) {
                            guest.alloc.freeUnrefPageList(freeHead);
                            batched = 0;
                        }
                    } else if (rc == -Errno.EAGAIN) {
                        retry++;
                    } else if (rc == -Errno.ENOMEM) {
                        // when memory is low, don't bother to try to migrate other pages, just exit
                        nrFailed++;
                        nomem = true;
                        break passes;
                    } else {
                        nrFailed++;
                    }
                }
            }
            if (!nomem) {
                nrFailed += retry;
            }
        } finally {
            guest.alloc.freeUnrefPageList(freeHead);
            map.freeListHead(freeHead);
            // list_splice(&ret_pages, from): what failed goes back to the caller's list
            while (!lists.isEmpty(retHead)) {
                lists.moveTail(lists.first(retHead), fromHead);
            }
            map.freeListHead(retHead);
            guest.vmstat.add(VmItem.PGMIGRATE_SUCCESS, nrSucc);
            guest.vmstat.add(VmItem.PGMIGRATE_FAIL, nrFailed);
            guest.stopMachine.exit();
        }
        if (nrSucceeded != null && nrSucceeded.length > 0) {
            nrSucceeded[0] = nrSucc;
        }
        return nomem ? -Errno.ENOMEM : nrFailed;
    }

    /**
     * unmap_and_move(): one page. Returns 0 when it was migrated (or freed from under us), -EAGAIN to
     * be retried (it stays on the from list), -ENOMEM when getNew had nothing, or another errno when
     * it failed for good (moved to retHead, still isolated). A source page whose last reference goes
     * is added to freeHead, migrate_pages()'s batch for the buddy allocator; the batch is given to
     * the buddy allocator before this task sleeps or calls a driver, so that nobody (mm:check on a
     * stopped machine) ever sees its pages in flight.
     */
    private int unmapAndMove(NewPage getNew, FreeNewPage putNew, int src, boolean force, MigrateMode mode,
            int retHead, int freeHead) {
        boolean lru = !nonLru(src);
        if (map.refcount(src) == 1) {
            // page was freed from under us (only the isolation reference is left): so we are done
            if (lru) {
                map.clearFlag(src, PageFlags.PG_active);
                map.clearFlag(src, PageFlags.PG_unevictable);
            } else if (contract == MigrationContract.NON_LRU_2016 && pageMovableHint(src)) {
                lockPageSleeping(src, freeHead);
                try {
                    if (!pageMovableLocked(src, "unmap_and_move")) {
                        map.clearFlag(src, PageFlags.PG_isolated);
                    }
                } finally {
                    pageLock.unlock(src);
                }
            }
            migrateDone(src, 1, freeHead); // free_pages_prepare() clears what flags are left
            return MIGRATEPAGE_SUCCESS;
        }
        int dst = getNew.alloc(src, 0);
        if (dst == Mm.NO_PAGE && !lists.isEmpty(freeHead)) {
            // our own freed pages may be what is missing: drain the batch and retry once, as
            // __alloc_pages_direct_reclaim() does drain_all_pages() before it gives up
            guest.alloc.freeUnrefPageList(freeHead);
            dst = getNew.alloc(src, 0);
        }
        if (dst == Mm.NO_PAGE) {
            return -Errno.ENOMEM;
        }
        MovableOwners.Registration owner = lru ? null : ownerOf(src);
        if (!lru) {
            guest.alloc.freeUnrefPageList(freeHead); // before the driver's callbacks
        }
        int rc = lru ? unmapAndMoveLru(src, dst, force, mode, freeHead) : moveMovablePage(src, dst, force, mode);
        if (rc == MIGRATEPAGE_SUCCESS) {
            if (owner != null) {
                owner.migrated.increment();
            }
            if (!lru && contract == MigrationContract.BALLOON_2012) {
                // v3.8 MIGRATEPAGE_BALLOON_SUCCESS: balloon_page_free() drops the isolation reference and
                // the balloon's; newpage keeps its allocation reference as the balloon's
                migrateDone(src, 2, freeHead);
            } else {
                // the new owner (a PTE, the driver) holds its own reference now: drop the allocation's
                guest.putPageInside(dst);
                migrateDone(src, 1, freeHead);
            }
        } else {
            if (rc != -Errno.EAGAIN) {
                lists.moveTail(src, retHead); // still isolated: the caller puts it back
            }
            if (putNew != null) {
                putNew.free(dst, 0);
            } else {
                guest.putPageInside(dst);
            }
        }
        return rc;
    }

    /**
     * migrate_folio_done(): off the migration list, not isolated any more, and the references dropped;
     * when the last goes, the page joins freeHead (folio_put() of an order-0 page puts it on a per-cpu
     * list, which free_pcppages_bulk() gives to the buddy allocator in batches).
     */
    private void migrateDone(int src, int refs, int freeHead) {
        lists.del(src);
        clearIsolated(src);
        for (int i = 0; i < refs; i++) {
            guest.putPageBatched(src, freeHead);
        }
    }

    /** lock_page() for the synchronous modes' retries; trylock_page() only in MIGRATE_ASYNC and the first passes. */
    private boolean lockSource(int src, boolean force, MigrateMode mode, int freeHead) {
        if (pageLock.trylock(src)) {
            return true;
        }
        if (!force || mode == MigrateMode.ASYNC) {
            return false;
        }
        lockPageSleeping(src, freeHead);
        return true;
    }

    /*
     * A user (LRU, anonymous) page, as __unmap_and_move() / migrate_folio_unmap() + migrate_folio_move()
     * do it, against a workload that keeps running on other threads:
     * 1. the old page is locked (the lock every migration-entry waiter sleeps on);
     * 2. try_to_migrate(): under the owner's ptl, its PTE becomes a migration entry and the mapping's
     *    mapcount and reference go; from now on the process's accesses wait for step 5;
     * 3. folio_migrate_mapping(): the old page must hold only the isolation reference now (any other
     *    holder, e.g. a racing isolator's speculative reference or an unmap whose put is still to come,
     *    makes it -EAGAIN);
     * 4. copy the content and hand over mapping, index and flags (folio_migrate_flags());
     * 5. remove_migration_ptes(): under the ptl, the entry becomes a PTE for the new page (the old one
     *    on failure), unless the process unmapped it or exited meanwhile; the new page joins the LRU;
     * 6. both pages unlocked; the caller drops the new page's allocation reference and the old page's
     *    isolation reference, which frees it.
     */
    private int unmapAndMoveLru(int src, int dst, boolean force, MigrateMode mode, int freeHead) {
        if (!lockSource(src, force, mode, freeHead)) {
            return -Errno.EAGAIN;
        }
        try {
            // "we used to have a BUG here if folio_trylock(dst) fails... just don't BUG()"
            if (!pageLock.trylock(dst)) {
                return -Errno.EAGAIN;
            }
            try {
                WorkloadProcess proc = anonOwner(src);
                int vpage = map.index[src];
                boolean unmapped = proc != null && map.mapcount(src) > 0 && proc.tryToMigrate(vpage, src);
                if (unmapped) {
                    map.refAdd(src, -1); // try_to_migrate_one(): the PTE's reference (ours keeps the page)
                }
                int rc;
                if (map.refcount(src) != 1) {
                    rc = -Errno.EAGAIN;
                } else {
                    migratePageCopy(dst, src);
                    guest.lruvec.add(dst); // folio_add_lru() before the PTEs come back
                    rc = MIGRATEPAGE_SUCCESS;
                }
                if (unmapped) {
                    proc.removeMigrationPte(vpage, src, rc == MIGRATEPAGE_SUCCESS ? dst : src);
                }
                return rc;
            } finally {
                pageLock.unlock(dst);
            }
        } finally {
            pageLock.unlock(src);
        }
    }

    /** The process whose anon_vma page->mapping names, or null (not anonymous, or the process is gone). */
    private WorkloadProcess anonOwner(int pfn) {
        int word = map.mapping[pfn];
        if ((word & MemMap.PAGE_MAPPING_FLAGS) != MemMap.PAGE_MAPPING_ANON) {
            return null;
        }
        return guest.handles.get(MemMap.mappingHandle(word)) instanceof WorkloadProcess p ? p : null;
    }

    /** folio_migrate_mapping() (index, mapping) + folio_copy() + folio_migrate_flags(), both pages locked. */
    private void migratePageCopy(int dst, int src) {
        map.index[dst] = map.index[src];
        map.mapping[dst] = map.mapping[src];
        guest.content.copy(dst, src);
        // the copied flags are read and the moved ones test-and-cleared on the old page in one atomic
        // read-modify-write of page->flags, then all of them set on the new page in one atomic OR
        int old = map.testAndClearFlags(src, MOVED_FLAGS);
        int set = old & (COPIED_FLAGS | MOVED_FLAGS);
        if (set != 0) {
            map.setFlags(dst, set);
        }
    }

    /**
     * A movable (non-LRU) page: both pages locked, then the contract's migrate step. On success the
     * driver owns dst and src is no longer isolated; on failure src stays isolated, the driver's.
     */
    private int moveMovablePage(int src, int dst, boolean force, MigrateMode mode) {
        if (!lockSource(src, force, mode, NO_BATCH)) {
            return -Errno.EAGAIN;
        }
        try {
            if (!pageLock.trylock(dst)) {
                if (contract == MigrationContract.MOVABLE_OPS_2025) {
                    return -Errno.EAGAIN;
                }
                // v3.8 balloon_page_migrate() / v4.8 __unmap_and_move(): BUG_ON(!trylock_page(newpage))
                throw debug.vmBugOnPage(dst, "!trylock_page(newpage)", "mm/migrate.c:" + (contract
                        == MigrationContract.BALLOON_2012 ? "balloon_page_migrate" : "__unmap_and_move"));
            }
            try {
                switch (contract) {
                    case BALLOON_2012:
                        return balloonPageMigrate(dst, src, mode);
                    case NON_LRU_2016:
                        return moveToNewPage2016(dst, src, mode);
                    default:
                        return migrateMovableOpsPage(dst, src, mode);
                }
            } finally {
                pageLock.unlock(dst);
            }
        } finally {
            pageLock.unlock(src);
        }
    }

    /*
     * 2012, balloon_page_migrate() (v3.8): WARN unless page->mapping is still a balloon mapping, then
     * the driver's a_ops->migratepage(mapping, newpage, page, mode) with both pages locked. On success
     * the driver has inserted newpage into the balloon (rule i: page lock, then its pages_lock) and
     * deleted page from it; the caller frees page (balloon_page_free()).
     */
    private int balloonPageMigrate(int dst, int src, MigrateMode mode) {
        AddressSpaceImpl m = balloonMapping(src, "balloon_page_migrate");
        if (m == null) {
            debug.warn("WARN_ON(!__is_movable_balloon_page(page))\n" + debug.dumpPage(src, "balloon_page_migrate"),
                    "mm/balloon_compaction.c", "balloon_page_migrate");
            return -Errno.EAGAIN;
        }
        try (ModuleCall c = guest.modules.enter(m.owner.bundleId, InjectionPoints.CALL_A_OPS_MIGRATEPAGE, src)) {
            return m.aOps.migratepage(m, dst, src, mode);
        }
    }

    /*
     * 2016, move_to_new_page() for a non-LRU page (v4.8): VM_BUG_ON_PAGE(!PageIsolated(page)). If the
     * owner released the page after isolation (!PageMovable(): it ran __ClearPageMovable()), the
     * migration counts as a success without the driver, and the page is freed; otherwise
     * a_ops->migratepage() with both pages locked. On success __ClearPageIsolated(page).
     */
    private int moveToNewPage2016(int dst, int src, MigrateMode mode) {
        if (debug.debugVm() && !map.testFlag(src, PageFlags.PG_isolated)) {
            throw debug.vmBugOnPage(src, "!PageIsolated(page)", "mm/migrate.c:846");
        }
        int rc;
        if (!pageMovableLocked(src, "move_to_new_page")) {
            rc = MIGRATEPAGE_SUCCESS;
        } else {
            AddressSpaceImpl m = movableMapping(src, "move_to_new_page");
            try (ModuleCall c = guest.modules.enter(m.owner.bundleId, InjectionPoints.CALL_A_OPS_MIGRATEPAGE, src)) {
                rc = m.aOps.migratepage(m, dst, src, mode);
            }
            if (rc == MIGRATEPAGE_SUCCESS && !map.testFlag(src, PageFlags.PG_isolated)) {
                warnOnce("mm/migrate.c move_to_new_page", "WARN_ON_ONCE(rc == MIGRATEPAGE_SUCCESS &&"
                        + " !PageIsolated(page)): the driver cleared PG_isolated, pfn " + Integer.toHexString(src));
            }
        }
        if (rc == MIGRATEPAGE_SUCCESS && pageMovableHint(src)) {
            map.clearFlag(src, PageFlags.PG_isolated);
        }
        return rc;
    }

    /*
     * 2025, migrate_movable_ops_page(): mops->migrate_page(dst, src, mode); on success the owners of src
     * and dst are swapped and src is un-isolated (ClearPageMovableOpsIsolated); on failure ownership is
     * unchanged and src stays isolated, to be retried or put back.
     */
    private int migrateMovableOpsPage(int dst, int src, MigrateMode mode) {
        OpsRegistration r = pageMovableOps(src);
        if (r == null) {
            throw nullMovableOps(src, "migrate_movable_ops_page");
        }
        int rc;
        try (ModuleCall c = guest.modules.enter(r.owner().bundleId, InjectionPoints.CALL_MOPS_MIGRATE_PAGE, src)) {
            rc = r.ops().migratePage(dst, src, mode);
        }
        if (rc == MIGRATEPAGE_SUCCESS) {
            map.clearFlag(src, PageFlags.PG_movable_ops_isolated);
        }
        return rc;
    }

    // ================================================================== helpers

    /**
     * lock_page() from inside mm code: a task that has to sleep for the lock leaves stop_machine's
     * read section while it sleeps (it is not on a CPU), so a lock holder that needs to enter mm code
     * (e.g. to free a page) is never stuck behind a stopped machine that waits for us.
     */
    private void lockPageSleeping(int pfn) {
        lockPageSleeping(pfn, NO_BATCH);
    }

    /** lock_page() as above; a migrate_pages() batch of freed pages goes to the buddy allocator before the task sleeps. */
    private void lockPageSleeping(int pfn, int freeHead) {
        if (pageLock.trylock(pfn)) {
            return;
        }
        if (freeHead != NO_BATCH) {
            guest.alloc.freeUnrefPageList(freeHead);
        }
        int depth = guest.stopMachine.sleep();
        try {
            pageLock.lock(pfn);
        } finally {
            guest.stopMachine.wake(depth);
        }
    }

    /** Following a NULL page_movable_ops(): the type's ops were unregistered while its pages lived. */
    private KernelBug nullMovableOps(int pfn, String function) {
        return debug.vmBugOnPage(pfn, "page_movable_ops(page) == NULL in " + function + " (set_movable_ops(NULL)"
                + " while pages of the type exist)", "mm/migrate.c");
    }

    private void warnOnce(String site, String message) {
        if (warnedOnce.add(site)) {
            int sp = site.indexOf(' ');
            debug.warn(message, site.substring(0, sp), site.substring(sp + 1));
        }
    }

    /** The page left its migration list: no longer isolated (NR_ISOLATED_ANON down for an LRU page). */
    private void clearIsolated(int pfn) {
        if (clearBit(lruIsolated, pfn)) {
            guest.vmstat.add(VmItem.NR_ISOLATED_ANON, -1);
        }
        if (clearBit(movableIsolated, pfn)) {
            guest.modules.unpinIsolated(pfn); // module-ref, osgi-drain: the driver's page is back or migrated
        }
    }

    private static void setBit(long[] bits, int pfn) {
        LONGS.getAndBitwiseOr(bits, pfn >>> 6, 1L << pfn);
    }

    /** Clears the bit; returns whether it was set. */
    private static boolean clearBit(long[] bits, int pfn) {
        return ((long) LONGS.getAndBitwiseAnd(bits, pfn >>> 6, ~(1L << pfn)) & (1L << pfn)) != 0;
    }

    private static boolean testBit(long[] bits, int pfn) {
        return ((long) LONGS.getVolatile(bits, pfn >>> 6) & (1L << pfn)) != 0;
    }

    private static BitSet bits(long[] words) {
        long[] copy = new long[words.length];
        for (int i = 0; i < words.length; i++) {
            copy[i] = (long) LONGS.getVolatile(words, i);
        }
        return BitSet.valueOf(copy);
    }
}
