package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.List;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovableOwner;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;
import org.mmlab.mm.lab.InjectionPoints;

/**
 * The movable-page service one bundle sees, whatever the contract: page->private, PageOffline, the
 * owner registry, and the address_space helpers 2012 and 2016 share, recording the bundle as the
 * owner of what it registers. Each era's functions are in its subclass ({@link MovablePages2012Impl},
 * {@link MovablePages2016Impl}, {@link MovablePages2025Impl}); the isolation, migration and putback
 * steps themselves are {@link Migrate}'s and its {@link MovableContract}'s.
 */
public abstract class MovablePagesImpl {
    final GuestMemory guest;
    final MemMap map;
    final Migrate migrate;
    private final String bundle;
    private final long bundleId;
    private final List<MovableOwners.Registration> mine = new ArrayList<>();

    MovablePagesImpl(GuestMemory guest, String bundle, long bundleId) {
        this.guest = guest;
        this.map = guest.map;
        this.migrate = guest.migrate;
        this.bundle = bundle;
        this.bundleId = bundleId;
    }

    /**
     * The service for the bundle with this symbolic name and id, of the guest's contract (the
     * component's ServiceFactory makes one per bundle).
     */
    public static MovablePagesImpl forBundle(GuestMemory guest, String bundle, long bundleId) {
        return switch (guest.migrate.contract()) {
            case BALLOON_2012 -> new MovablePages2012Impl(guest, bundle, bundleId);
            case NON_LRU_2016 -> new MovablePages2016Impl(guest, bundle, bundleId);
            case MOVABLE_OPS_2025 -> new MovablePages2025Impl(guest, bundle, bundleId);
        };
    }

    public MigrationContract contract() {
        return migrate.contract();
    }

    MovableOwners.Registration register(MigrationContract c, String what) {
        MovableOwners.Registration r = migrate.owners.add(bundle, bundleId, c, what);
        synchronized (mine) {
            mine.add(r);
        }
        return r;
    }

    /** VM_BUG_ON_PAGE(!PageLocked(page), page), with CONFIG_DEBUG_VM. */
    void requireLocked(int pfn, String fileLine, String kernelVersion) {
        if (guest.debug.debugVm() && !map.testFlag(pfn, PageFlags.PG_locked)) {
            throw guest.debug.vmBugOnPage(pfn, "!PageLocked(page)", fileLine, kernelVersion);
        }
    }

    /**
     * A pointer to an address space of this guest: live, freed or not yet initialised, as a driver may
     * hold one (KASAN checks what is done through it). One of another guest (before a reboot) is refused.
     */
    AddressSpaceImpl ours(AddressSpace mapping) {
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
    AddressSpaceImpl kmalloc(MigrationContract contract, String what, AddressSpaceOperations aOps,
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
    AddressSpace newMapping(MigrationContract contract, String function, String label,
            AddressSpaceOperations aOps, Object privateData) {
        if (aOps == null) {
            throw new IllegalArgumentException(function + ": a_ops is NULL");
        }
        return kmalloc(contract, label + " %#x (a_ops " + aOps.getClass().getSimpleName() + ")", aOps, privateData);
    }

    /**
     * kfree()/iput() of a mapping: pages still pointing at it are orphans, as in the kernel; a second
     * free is KASAN's double-free (nothing is freed).
     */
    void freeMapping(String function, AddressSpace mapping) {
        AddressSpaceImpl freed = guest.slab.free(ours(mapping), function.replace("()", ""));
        if (freed != null) {
            freed.owner.released = true;
            guest.modules.table.at(InjectionPoints.MAPPING_FREE, -1);
        }
    }

    // ---------------------------------------------------------------- every contract

    public int pagePrivate(int pfn) {
        guest.checkPfn(pfn);
        return map.pagePrivate[pfn];
    }

    public void setPagePrivate(int pfn, int value) {
        guest.checkPfn(pfn);
        map.pagePrivate[pfn] = value;
    }

    /** v6.18.2's __SetPageOffline() (PAGE_TYPE_OPS): nothing on a page that is PageOffline already. */
    public void setPageOffline(int pfn) {
        guest.checkPfn(pfn);
        if (map.hasType(pfn, PageType.OFFLINE)) {
            return;
        }
        if (guest.debug.debugVm() && map.mapcountOrType[pfn] != MemMap.MAPCOUNT_NONE) {
            throw guest.debug.vmBugOnPage(pfn, "data_race(page->page_type) != UINT_MAX",
                    "include/linux/page-flags.h:1034", "v6.18.2"); // PAGE_TYPE_OPS(Offline, ...)
        }
        map.setType(pfn, PageType.OFFLINE);
    }

    /** v6.18.2's __ClearPageOffline(): nothing on an untyped page; VM_BUG_ON_PAGE on another type. */
    public void clearPageOffline(int pfn) {
        guest.checkPfn(pfn);
        if (map.mapcountOrType[pfn] == MemMap.MAPCOUNT_NONE) {
            return;
        }
        if (guest.debug.debugVm() && !map.hasType(pfn, PageType.OFFLINE)) {
            throw guest.debug.vmBugOnPage(pfn, "!PageOffline(page)", "include/linux/page-flags.h:1034", "v6.18.2");
        }
        map.clearType(pfn);
    }

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
