package org.mmlab.mm.internal;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages2016;
import org.mmlab.mm.PageFlags;

/**
 * The 2016 movable-page service one bundle sees: __SetPageMovable() and friends of v4.8
 * (mm/compaction.c, include/linux/page-flags.h) over {@link NonLruMovable2016}.
 */
final class MovablePages2016Impl extends MovablePagesImpl implements MovablePages2016 {
    private final NonLruMovable2016 core;

    MovablePages2016Impl(GuestMemory guest, String bundle, long bundleId) {
        super(guest, bundle, bundleId);
        this.core = (NonLruMovable2016) migrate.movable;
    }

    @Override
    public AddressSpace allocAnonInode(AddressSpaceOperations aOps, Object privateData) {
        return newMapping(MigrationContract.NON_LRU_2016, "alloc_anon_inode()", "address_space", aOps, privateData);
    }

    @Override
    public void iput(AddressSpace mapping) {
        freeMapping("iput()", mapping);
    }

    /*
     * 2016 rules (Documentation/vm/page_migration, v4.8): __SetPageMovable() under the page lock; on a
     * successful migration and before releasing a page the driver calls __ClearPageMovable() under the
     * page lock; PageMovable() is only meaningful under the page lock, __PageMovable() is a lockless hint.
     */
    @Override
    public void setPageMovable(int pfn, AddressSpace mapping) {
        guest.checkPfn(pfn);
        AddressSpaceImpl a = ours(mapping);
        requireLocked(pfn, "mm/compaction.c:116", "v4.8.15");
        map.mapping[pfn] = a.movableMappingWord();
    }

    @Override
    public void clearPageMovable(int pfn) {
        guest.checkPfn(pfn);
        requireLocked(pfn, "mm/compaction.c:124", "v4.8.15");
        if (guest.debug.debugVm() && !core.pageMovableLocked(pfn, "__ClearPageMovable")) {
            throw guest.debug.vmBugOnPage(pfn, "!PageMovable(page)", "mm/compaction.c:125", "v4.8.15");
        }
        // keep PAGE_MAPPING_MOVABLE so that migration sees a page released after isolation
        map.mapping[pfn] = MemMap.PAGE_MAPPING_MOVABLE;
    }

    @Override
    public boolean pageMovable(int pfn) {
        guest.checkPfn(pfn);
        return core.pageMovableLocked(pfn, "PageMovable");
    }

    @Override
    public boolean pageMovableHint(int pfn) {
        guest.checkPfn(pfn);
        return core.pageMovableHint(pfn);
    }

    @Override
    public boolean pageIsolated(int pfn) {
        guest.checkPfn(pfn);
        return map.testFlag(pfn, PageFlags.PG_isolated);
    }

    @Override
    public AddressSpace pageMapping(int pfn) {
        guest.checkPfn(pfn);
        return core.movableMapping(pfn, "page_mapping");
    }
}
