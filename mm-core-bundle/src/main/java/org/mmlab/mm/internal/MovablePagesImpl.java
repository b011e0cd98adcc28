package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.List;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.BalloonDevInfo;
import org.mmlab.mm.InjectionPoints;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.MovableOwner;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * The movable-page service one bundle sees: the driver-facing helpers of each contract's kernel
 * (include/linux/balloon_compaction.h for 2012; __SetPageMovable() and friends of mm/compaction.c and
 * include/linux/page-flags.h for 2016; set_movable_ops() and PG_movable_ops for 2025), recording the
 * bundle as the owner of what it registers. The isolation, migration and putback steps themselves
 * are {@link Migrate}'s.
 */
public final class MovablePagesImpl implements MovablePages {
    private final GuestMemory guest;
    private final MemMap map;
    private final Migrate migrate;
    private final String bundle;
    private final long bundleId;
    private final List<MovableOwners.Registration> mine = new ArrayList<>();

    /** The service for the bundle with this symbolic name and id (the component's ServiceFactory makes one per bundle). */
    public MovablePagesImpl(GuestMemory guest, String bundle, long bundleId) {
        this.guest = guest;
        this.map = guest.map;
        this.migrate = guest.migrate;
        this.bundle = bundle;
        this.bundleId = bundleId;
    }

    @Override
    public MigrationContract contract() {
        return migrate.contract;
    }

    /** A function of another contract than the guest's: refused, naming both. */
    private void require(MigrationContract c, String function) {
        if (migrate.contract != c) {
            throw new IllegalStateException(function + " belongs to the " + c.value() + " migration contract ("
                    + c.description() + "), but this guest runs migrationContract=" + migrate.contract.value() + " ("
                    + migrate.contract.description() + "); change it with mm:config migrationContract " + c.value());
        }
    }

    private MovableOwners.Registration register(MigrationContract c, String what) {
        MovableOwners.Registration r = migrate.owners.add(bundle, bundleId, c, what);
        synchronized (mine) {
            mine.add(r);
        }
        return r;
    }

    /** VM_BUG_ON_PAGE(!PageLocked(page), page), with CONFIG_DEBUG_VM. */
    private void requireLocked(int pfn, String file) {
        if (guest.debug.debugVm() && !map.testFlag(pfn, PageFlags.PG_locked)) {
            throw guest.debug.vmBugOnPage(pfn, "!PageLocked(page)", file);
        }
    }

    /**
     * A pointer to an address space of this guest: live, freed or not yet initialised, as a driver may
     * hold one (KASAN checks what is done through it). One of another guest (before a reboot) is refused.
     */
    private AddressSpaceImpl ours(AddressSpace mapping) {
        if (!(mapping instanceof AddressSpaceImpl a) || a.slab != guest.slab) {
            throw new IllegalArgumentException("not an address space of this guest (from before a reboot?): " + mapping);
        }
        return a;
    }

    /**
     * kmalloc() of an address_space from the guest's slab, registered to this bundle; the point after it.
     * An initialised one (balloon_mapping_alloc(), alloc_anon_inode()) is initialised before its memory is
     * published, so that a racing reader of page->mapping sees it whole.
     */
    private AddressSpaceImpl kmalloc(MigrationContract contract, String what, AddressSpaceOperations aOps,
            Object privateData) {
        AddressSpaceImpl a = new AddressSpaceImpl(guest.slab);
        if (aOps != null) {
            a.init(contract == MigrationContract.BALLOON_2012, aOps, privateData);
        }
        guest.slab.alloc(a);
        a.owner = register(contract, String.format(what, a.handle));
        guest.modules.table.at(InjectionPoints.MAPPING_ALLOC, -1);
        return a;
    }

    /** An address_space with the driver's a_ops, registered to this bundle (balloon_mapping_alloc, alloc_anon_inode). */
    private AddressSpace newMapping(MigrationContract contract, String function, String label,
            AddressSpaceOperations aOps, Object privateData) {
        require(contract, function);
        if (aOps == null) {
            throw new IllegalArgumentException(function + ": a_ops is NULL");
        }
        return kmalloc(contract, label + " %#x (a_ops " + aOps.getClass().getSimpleName() + ")", aOps, privateData);
    }

    /**
     * kfree()/iput() of a mapping: pages still pointing at it are orphans, as in the kernel; a second
     * free is KASAN's double-free (nothing is freed).
     */
    private void freeMapping(MigrationContract contract, String function, AddressSpace mapping) {
        require(contract, function);
        AddressSpaceImpl freed = guest.slab.free(ours(mapping), function.replace("()", ""));
        if (freed != null) {
            freed.owner.released = true;
            guest.modules.table.at(InjectionPoints.MAPPING_FREE, -1);
        }
    }

    // ---------------------------------------------------------------- 2012

    @Override
    public AddressSpace balloonMappingAlloc(BalloonDevInfo bDevInfo, AddressSpaceOperations aOps) {
        return newMapping(MigrationContract.BALLOON_2012, "balloon_mapping_alloc()", "balloon mapping", aOps, bDevInfo);
    }

    @Override
    public void balloonMappingFree(AddressSpace mapping) {
        freeMapping(MigrationContract.BALLOON_2012, "balloon_mapping_free()", mapping);
    }

    @Override
    public AddressSpace balloonMappingKmalloc() {
        require(MigrationContract.BALLOON_2012, "kmalloc(sizeof(struct address_space))");
        return kmalloc(MigrationContract.BALLOON_2012, "balloon mapping %#x (kmalloc'd by the driver)", null, null);
    }

    @Override
    public void balloonMappingInit(AddressSpace mapping, BalloonDevInfo bDevInfo, AddressSpaceOperations aOps) {
        require(MigrationContract.BALLOON_2012, "the v7 probe's balloon_mapping initialisation");
        if (aOps == null) {
            throw new IllegalArgumentException("balloon_mapping->a_ops = NULL: give the balloon's a_ops");
        }
        AddressSpaceImpl there = guest.slab.write(ours(mapping), MappingSlab.caller());
        if (there != null) {
            there.init(true, aOps, bDevInfo); // with KASAN off, whatever lives there now is what gets written
        }
    }

    /*
     * Rule i of seed 000: a balloon page's ->mapping changes only under page_lock(page), then
     * b_dev_info->pages_lock; the page lock is what the migration core holds while it re-tests the
     * mapping (isolation, migration, putback), so it is checked here.
     */
    @Override
    public void balloonPageSetMapping(int pfn, AddressSpace mapping) {
        require(MigrationContract.BALLOON_2012, "balloon_page_insert()");
        guest.checkPfn(pfn);
        AddressSpaceImpl a = ours(mapping);
        if (a.initialised && !a.freed && !a.balloon) {
            throw new IllegalArgumentException("balloon_page_insert(): " + a + " is not a balloon mapping");
        }
        requireLocked(pfn, "include/linux/balloon_compaction.h:177");
        guest.storeBuffer.storeMapping(pfn, a.balloonMappingWord()); // a store, not a dereference: a stale pointer goes in unchecked
    }

    @Override
    public void balloonPageClearMapping(int pfn) {
        require(MigrationContract.BALLOON_2012, "balloon_page_delete()");
        guest.checkPfn(pfn);
        requireLocked(pfn, "include/linux/balloon_compaction.h:192");
        guest.storeBuffer.storeMapping(pfn, 0);
    }

    @Override
    public void balloonPageClearMappingLockless(int pfn) {
        require(MigrationContract.BALLOON_2012, "page->mapping = NULL (v7 leak path)");
        guest.checkPfn(pfn);
        guest.storeBuffer.storeMapping(pfn, 0);
    }

    @Override
    public boolean balloonPageMovable(int pfn) {
        require(MigrationContract.BALLOON_2012, "balloon_page_movable()");
        guest.checkPfn(pfn);
        return migrate.balloonPageMovable(pfn, "balloon_page_movable");
    }

    @Override
    public Object balloonPageDevice(int pfn) {
        require(MigrationContract.BALLOON_2012, "balloon_page_device()");
        guest.checkPfn(pfn);
        AddressSpaceImpl a = migrate.balloonMapping(pfn, "balloon_page_device");
        return a == null ? null : a.privateData;
    }

    // ---------------------------------------------------------------- 2016

    @Override
    public AddressSpace allocAnonInode(AddressSpaceOperations aOps, Object privateData) {
        return newMapping(MigrationContract.NON_LRU_2016, "alloc_anon_inode()", "address_space", aOps, privateData);
    }

    @Override
    public void iput(AddressSpace mapping) {
        freeMapping(MigrationContract.NON_LRU_2016, "iput()", mapping);
    }

    /*
     * 2016 rules (Documentation/vm/page_migration, v4.8): __SetPageMovable() under the page lock; on a
     * successful migration and before releasing a page the driver calls __ClearPageMovable() under the
     * page lock; PageMovable() is only meaningful under the page lock, __PageMovable() is a lockless hint.
     */
    @Override
    public void setPageMovable(int pfn, AddressSpace mapping) {
        require(MigrationContract.NON_LRU_2016, "__SetPageMovable()");
        guest.checkPfn(pfn);
        AddressSpaceImpl a = ours(mapping);
        requireLocked(pfn, "mm/compaction.c:111");
        map.mapping[pfn] = a.movableMappingWord();
    }

    @Override
    public void clearPageMovable(int pfn) {
        require(MigrationContract.NON_LRU_2016, "__ClearPageMovable()");
        guest.checkPfn(pfn);
        requireLocked(pfn, "mm/compaction.c:121");
        if (guest.debug.debugVm() && !migrate.pageMovableLocked(pfn, "__ClearPageMovable")) {
            throw guest.debug.vmBugOnPage(pfn, "!PageMovable(page)", "mm/compaction.c:122");
        }
        // keep PAGE_MAPPING_MOVABLE so that migration sees a page released after isolation
        map.mapping[pfn] = MemMap.PAGE_MAPPING_MOVABLE;
    }

    @Override
    public boolean pageMovable(int pfn) {
        require(MigrationContract.NON_LRU_2016, "PageMovable()");
        guest.checkPfn(pfn);
        return migrate.pageMovableLocked(pfn, "PageMovable");
    }

    @Override
    public boolean pageMovableHint(int pfn) {
        require(MigrationContract.NON_LRU_2016, "__PageMovable()");
        guest.checkPfn(pfn);
        return migrate.pageMovableHint(pfn);
    }

    @Override
    public boolean pageIsolated(int pfn) {
        require(MigrationContract.NON_LRU_2016, "PageIsolated()");
        guest.checkPfn(pfn);
        return map.testFlag(pfn, PageFlags.PG_isolated);
    }

    @Override
    public AddressSpace pageMapping(int pfn) {
        guest.checkPfn(pfn);
        switch (migrate.contract) {
            case BALLOON_2012:
                return migrate.balloonMapping(pfn, "page_mapping");
            case NON_LRU_2016:
                return migrate.movableMapping(pfn, "page_mapping");
            default:
                throw new IllegalStateException("page_mapping() of a movable page belongs to the 2012 and 2016"
                        + " migration contracts, but this guest runs migrationContract=2025 (movable_ops come from"
                        + " the page type, not page->mapping)");
        }
    }

    // ---------------------------------------------------------------- 2025

    @Override
    public int setMovableOps(MovableOperations ops, PageType type) {
        require(MigrationContract.MOVABLE_OPS_2025, "set_movable_ops()");
        MovableOwners.Registration owner = null;
        if (ops != null && (type == PageType.OFFLINE || type == PageType.ZSMALLOC)
                && migrate.movableOps(type) == null) {
            owner = register(MigrationContract.MOVABLE_OPS_2025, String.format("movable_ops %s (%s)",
                    type.kernelName(), ops.getClass().getSimpleName()));
        }
        int rc = migrate.setMovableOps(ops, type, owner);
        if (rc != 0 && owner != null) {
            owner.released = true; // lost a race with another registration
        }
        return rc;
    }

    @Override
    public void setPageMovableOps(int pfn) {
        require(MigrationContract.MOVABLE_OPS_2025, "SetPageMovableOps()");
        guest.checkPfn(pfn);
        PageType t = map.pageType(pfn);
        if (guest.debug.debugVm() && t != PageType.OFFLINE && t != PageType.ZSMALLOC) {
            // PG_movable_ops aliases PG_uptodate: only typed pages may carry it
            throw guest.debug.vmBugOnPage(pfn, "!PageOffline(page) && !PageZsmalloc(page)",
                    "include/linux/page-flags.h:1110");
        }
        map.setFlag(pfn, PageFlags.PG_movable_ops);
    }

    @Override
    public boolean pageHasMovableOps(int pfn) {
        require(MigrationContract.MOVABLE_OPS_2025, "page_has_movable_ops()");
        guest.checkPfn(pfn);
        return migrate.pageHasMovableOps2025(pfn);
    }

    @Override
    public boolean pageMovableOpsIsolated(int pfn) {
        require(MigrationContract.MOVABLE_OPS_2025, "PageMovableOpsIsolated()");
        guest.checkPfn(pfn);
        return map.testFlag(pfn, PageFlags.PG_movable_ops_isolated);
    }

    // ---------------------------------------------------------------- every contract

    @Override
    public int pagePrivate(int pfn) {
        guest.checkPfn(pfn);
        return map.pagePrivate[pfn];
    }

    @Override
    public void setPagePrivate(int pfn, int value) {
        guest.checkPfn(pfn);
        map.pagePrivate[pfn] = value;
    }

    @Override
    public void setPageOffline(int pfn) {
        guest.checkPfn(pfn);
        if (guest.debug.debugVm() && map.mapcountOrType[pfn] != MemMap.MAPCOUNT_NONE) {
            throw guest.debug.vmBugOnPage(pfn, "data_race(page->page_type) != UINT_MAX",
                    "include/linux/page-flags.h:1032");
        }
        map.setType(pfn, PageType.OFFLINE);
    }

    @Override
    public void clearPageOffline(int pfn) {
        guest.checkPfn(pfn);
        if (guest.debug.debugVm() && !map.hasType(pfn, PageType.OFFLINE)) {
            throw guest.debug.vmBugOnPage(pfn, "!PageOffline(page)", "include/linux/page-flags.h:1032");
        }
        map.clearType(pfn);
    }

    @Override
    public List<MovableOwner> owners() {
        return migrate.owners.snapshot(guest);
    }

    /**
     * The bundle let go of the service (it stopped). The kernel pins nothing either: its mappings and
     * movable_ops stay registered (a driver unregisters in its own exit path, as zsmalloc's zs_exit()
     * does); what is left is reported, since migration may still call into it.
     */
    public void release() {
        List<MovableOwners.Registration> left = new ArrayList<>();
        synchronized (mine) {
            for (MovableOwners.Registration r : mine) {
                if (!r.released) {
                    left.add(r);
                }
            }
        }
        if (!left.isEmpty()) {
            StringBuilder sb = new StringBuilder("mmlab: bundle " + bundle + " [" + bundleId
                    + "] released the movable-page service with registrations still in place:");
            for (MovableOwners.Registration r : left) {
                sb.append("\n  ").append(r.what);
            }
            guest.dmesg.printk(sb.toString());
        }
    }
}
