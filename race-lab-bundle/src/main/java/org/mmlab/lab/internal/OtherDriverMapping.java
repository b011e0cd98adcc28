package org.mmlab.lab.internal;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.BalloonHooks2012;
import org.mmlab.mm.Errno;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MovablePages2012;

/**
 * "Someone else allocates a mapping" (seed 003, race 4): another driver, the race lab's bundle, makes
 * a 2012 balloon mapping of its own, and may get the memory of one just freed. It never inflates a
 * page, so mm calling its hooks means mm took another driver's page for its: that is what the
 * reviewer feared, and what happens with KASAN off. Each call says so in dmesg.
 */
final class OtherDriverMapping implements BalloonHooks2012, AddressSpaceOperations {
    private final MemoryManager mm;
    private final MovablePages2012 pages;
    private AddressSpace mapping;

    OtherDriverMapping(MemoryManager mm, MovablePages2012 pages) {
        this.mm = mm;
        this.pages = pages;
    }

    /** balloon_mapping_alloc() of this driver. */
    void alloc() {
        mapping = pages.balloonMappingAlloc(this, this);
    }

    /** balloon_mapping_free(), if it has one. */
    void free() {
        if (mapping != null) {
            pages.balloonMappingFree(mapping);
            mapping = null;
        }
    }

    @Override
    public void isolatePage(int pfn) {
        mm.printk(String.format("race lab: mm isolates pfn %#x for another driver's mapping, which never had the"
                + " page: it took a page of a freed mapping's for this one's", pfn));
    }

    @Override
    public void putbackPage(int pfn) {
        mm.printk(String.format("race lab: mm puts back pfn %#x to another driver's mapping, which never had it", pfn));
    }

    /** Refuses: the page is not this driver's (migration puts it back). */
    @Override
    public int migratepage(AddressSpace m, int newPfn, int pfn, MigrateMode mode) {
        return -Errno.EBUSY;
    }
}
