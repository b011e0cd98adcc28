package org.mmlab.mm.internal;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.BalloonHooks2012;

/**
 * Models struct address_space (include/linux/fs.h) as migration sees it: a_ops, private_data and,
 * for 2012 balloon mappings, AS_BALLOON_MAP. An object of {@link MappingSlab}: page->mapping refers
 * to it by its handle and the pointer's KASAN tag, and a holder of this object holds that pointer, so
 * after kfree() it is a stale pointer to whatever the memory holds next.
 */
final class AddressSpaceImpl implements AddressSpace {
    /** The slab (and so the guest) it came from. */
    final MappingSlab slab;
    /** Where it lives, set by the slab before anyone sees it. */
    volatile int handle;
    /** The pointer's KASAN tag, given at allocation. */
    volatile int tag;
    /** kfree()d: its memory is KASAN_TAG_INVALID until the slab gives it to another object. */
    volatile boolean freed;
    /** Who allocated it, for KMSAN's "Uninit was created at". */
    volatile String allocStack = "";
    /** AS_BALLOON_MAP: made by balloon_mapping_alloc() (2012). */
    boolean balloon;
    AddressSpaceOperations aOps;
    Object privateData;
    /** mapping->a_ops->isolate_page != NULL: the driver's a_ops override isolatePage() (2016's PageMovable()). */
    boolean hasIsolatePage;
    /**
     * The fields above were written: their writes happen before this flag's, and, for a mapping
     * initialised before its memory was published, before the slab's release of its handle.
     */
    volatile boolean initialised;
    /** Who registered it, and what migration did with its pages (set with the handle). */
    volatile MovableOwners.Registration owner;

    /** kmalloc(): nothing is initialised yet. */
    AddressSpaceImpl(MappingSlab slab) {
        this.slab = slab;
    }

    /** The initialisation: a_ops, private_data, AS_BALLOON_MAP; visible to every reader once it returns. */
    void init(boolean asBalloonMap, AddressSpaceOperations ops, Object data) {
        balloon = asBalloonMap;
        aOps = ops;
        privateData = data;
        hasIsolatePage = overridesIsolatePage(ops);
        initialised = true;
    }

    private static boolean overridesIsolatePage(AddressSpaceOperations aOps) {
        try {
            return aOps.getClass().getMethod("isolatePage", int.class, int.class).getDeclaringClass()
                    != AddressSpaceOperations.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** balloon_page_device(): the 2012 balloon hooks (b_dev_info) this balloon mapping serves. */
    BalloonHooks2012 balloonHooks() {
        return privateData instanceof BalloonHooks2012 b ? b : null;
    }

    /** The pointer as page->mapping stores it: tag on top, the handle, no PAGE_MAPPING_* bits (2012 balloon page). */
    int balloonMappingWord() {
        return tag << MemMap.MAPPING_TAG_SHIFT | handle << 2;
    }

    /** The page->mapping word of a 2016 movable page: mapping | PAGE_MAPPING_MOVABLE. */
    int movableMappingWord() {
        return balloonMappingWord() | MemMap.PAGE_MAPPING_MOVABLE;
    }

    @Override
    public int handle() {
        return handle;
    }

    /** Reads through this pointer are checked like the kernel's: a stale or uninitialised mapping is reported. */
    @Override
    public AddressSpaceOperations aOps() {
        AddressSpaceImpl a = slab.use(this, MappingSlab.caller());
        return a == null ? null : a.aOps;
    }

    @Override
    public Object privateData() {
        AddressSpaceImpl a = slab.use(this, MappingSlab.caller());
        return a == null ? null : a.privateData;
    }

    @Override
    public boolean isBalloon() {
        AddressSpaceImpl a = slab.use(this, MappingSlab.caller());
        return a != null && a.balloon;
    }

    @Override
    public String toString() {
        String ops = aOps == null ? "not initialised" : "a_ops " + aOps.getClass().getName();
        return String.format("%s %#x (%s%s)", balloon ? "balloon mapping" : "address_space", handle, ops,
                freed ? ", freed" : "");
    }
}
