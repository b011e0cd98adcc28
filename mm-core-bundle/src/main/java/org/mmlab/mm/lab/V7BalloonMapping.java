package org.mmlab.mm.lab;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.BalloonHooks2012;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the reviewed v7 virtio-balloon patch (seed 003) did with its balloon mapping and no merged
 * kernel does: a mapping kmalloc()'d and initialised by the driver, and page->mapping cleared without
 * the page lock. The race lab's races 1, 2, 4 and 5 need it. A service per bundle, registered only
 * while the guest runs the 2012 contract; the same object as the bundle's
 * {@link org.mmlab.mm.MovablePages2012}, so what it allocates is the bundle's in the owner registry.
 */
@ProviderType
public interface V7BalloonMapping {
    /**
     * kmalloc(sizeof(struct address_space), GFP_KERNEL), as the v7 patch allocated its balloon_mapping:
     * an address space not initialised yet (no a_ops, no AS_BALLOON_MAP), registered to the caller.
     * Migration reaching it through a page before {@link #balloonMappingInit} reads uninitialised memory
     * (KMSAN's uninit-value).
     */
    AddressSpace balloonMappingKmalloc();

    /**
     * The v7 probe's initialisation of that mapping (INIT_RADIX_TREE(), ..., balloon_mapping->a_ops =
     * &amp;virtio_balloon_aops): a_ops, private_data = hooks, and AS_BALLOON_MAP, which the 2012 core
     * tests. A write through the pointer: KASAN checks it.
     */
    void balloonMappingInit(AddressSpace mapping, BalloonHooks2012 hooks, AddressSpaceOperations aOps);

    /**
     * page->mapping = NULL as the v7 leak path wrote it, under pages_lock alone: no page lock, so no
     * rule i and no VM_BUG_ON. In the weak-memory mode the store stays in this CPU's store buffer until
     * its next barrier.
     */
    void balloonPageClearMappingLockless(int pfn);
}
