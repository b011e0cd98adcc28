package org.mmlab.mm.internal;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.BalloonHooks2012;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages2012;
import org.mmlab.mm.lab.V7BalloonMapping;

/**
 * The 2012 movable-page service one bundle sees: include/linux/balloon_compaction.h of v3.8 (seed 000)
 * over {@link BalloonCompaction2012}, and, for the race lab, what the reviewed v7 virtio patch did with
 * its own balloon mapping (seed 003).
 */
final class MovablePages2012Impl extends MovablePagesImpl implements MovablePages2012, V7BalloonMapping {
    private final BalloonCompaction2012 core;

    MovablePages2012Impl(GuestMemory guest, String bundle, long bundleId) {
        super(guest, bundle, bundleId);
        this.core = (BalloonCompaction2012) migrate.movable;
    }

    @Override
    public AddressSpace balloonMappingAlloc(BalloonHooks2012 hooks, AddressSpaceOperations aOps) {
        return newMapping(MigrationContract.BALLOON_2012, "balloon_mapping_alloc()", "balloon mapping", aOps, hooks);
    }

    @Override
    public void balloonMappingFree(AddressSpace mapping) {
        freeMapping("balloon_mapping_free()", mapping);
    }

    @Override
    public AddressSpace balloonMappingKmalloc() {
        return kmalloc(MigrationContract.BALLOON_2012, "balloon mapping %#x (kmalloc'd by the driver)", null, null);
    }

    @Override
    public void balloonMappingInit(AddressSpace mapping, BalloonHooks2012 hooks, AddressSpaceOperations aOps) {
        if (aOps == null) {
            throw new IllegalArgumentException("balloon_mapping->a_ops = NULL: give the balloon's a_ops");
        }
        AddressSpaceImpl there = guest.slab.write(ours(mapping), MappingSlab.caller());
        if (there != null) {
            there.init(true, aOps, hooks); // with KASAN off, whatever lives there now is what gets written
        }
    }

    /*
     * Rule i of seed 000: a balloon page's ->mapping changes only under page_lock(page), then
     * b_dev_info->pages_lock; the page lock is what the migration core holds while it re-tests the
     * mapping (isolation, migration, putback), so it is checked here.
     */
    @Override
    public void balloonPageSetMapping(int pfn, AddressSpace mapping) {
        guest.checkPfn(pfn);
        AddressSpaceImpl a = ours(mapping);
        if (a.initialised && !a.freed && !a.balloon) {
            throw new IllegalArgumentException("balloon_page_insert(): " + a + " is not a balloon mapping");
        }
        // v3.8 states the rule in balloon_page_insert()'s comment and checks nothing: the report is at its store
        requireLocked(pfn, "include/linux/balloon_compaction.h:175", "v3.8");
        guest.storeBuffer.storeMapping(pfn, a.balloonMappingWord()); // a store, not a dereference: a stale pointer goes in unchecked
    }

    @Override
    public void balloonPageClearMapping(int pfn) {
        guest.checkPfn(pfn);
        requireLocked(pfn, "include/linux/balloon_compaction.h:189", "v3.8"); // as for balloon_page_insert()
        guest.storeBuffer.storeMapping(pfn, 0);
    }

    @Override
    public void balloonPageClearMappingLockless(int pfn) {
        guest.checkPfn(pfn);
        guest.storeBuffer.storeMapping(pfn, 0);
    }

    @Override
    public boolean balloonPageMovable(int pfn) {
        guest.checkPfn(pfn);
        return core.balloonPageMovable(pfn, "balloon_page_movable");
    }

    @Override
    public Object balloonPageDevice(int pfn) {
        guest.checkPfn(pfn);
        AddressSpaceImpl a = core.balloonMapping(pfn, "balloon_page_device");
        return a == null ? null : a.privateData;
    }

    @Override
    public AddressSpace pageMapping(int pfn) {
        guest.checkPfn(pfn);
        return core.balloonMapping(pfn, "page_mapping");
    }
}
