package org.mmlab.mm.internal;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.BalloonDevInfo;

/**
 * Models struct address_space (include/linux/fs.h) as migration sees it: a_ops, private_data and,
 * for 2012 balloon mappings, AS_BALLOON_MAP. page->mapping refers to it by its handle.
 */
final class AddressSpaceImpl implements AddressSpace {
    /** Set once, right after Handles gave it (before the mapping is returned to anyone). */
    volatile int handle;
    /** AS_BALLOON_MAP: made by balloon_mapping_alloc() (2012). */
    final boolean balloon;
    final AddressSpaceOperations aOps;
    final Object privateData;
    /** mapping->a_ops->isolate_page != NULL: the driver's a_ops override isolatePage() (2016's PageMovable()). */
    final boolean hasIsolatePage;
    /** Who registered it, and what migration did with its pages (set with the handle). */
    volatile MovableOwners.Registration owner;

    AddressSpaceImpl(boolean balloon, AddressSpaceOperations aOps, Object privateData) {
        this.balloon = balloon;
        this.aOps = aOps;
        this.privateData = privateData;
        this.hasIsolatePage = overridesIsolatePage(aOps);
    }

    private static boolean overridesIsolatePage(AddressSpaceOperations aOps) {
        try {
            return aOps.getClass().getMethod("isolatePage", int.class, int.class).getDeclaringClass()
                    != AddressSpaceOperations.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** balloon_page_device(): the 2012 b_dev_info this balloon mapping serves. */
    BalloonDevInfo balloonDevInfo() {
        return privateData instanceof BalloonDevInfo b ? b : null;
    }

    /** The page->mapping word of a 2012 balloon page (no PAGE_MAPPING_* bits). */
    int balloonMappingWord() {
        return handle << 2;
    }

    /** The page->mapping word of a 2016 movable page: mapping | PAGE_MAPPING_MOVABLE. */
    int movableMappingWord() {
        return (handle << 2) | MemMap.PAGE_MAPPING_MOVABLE;
    }

    @Override
    public int handle() {
        return handle;
    }

    @Override
    public AddressSpaceOperations aOps() {
        return aOps;
    }

    @Override
    public Object privateData() {
        return privateData;
    }

    @Override
    public boolean isBalloon() {
        return balloon;
    }

    @Override
    public String toString() {
        return String.format("%s %#x (a_ops %s)", balloon ? "balloon mapping" : "address_space", handle,
                aOps.getClass().getName());
    }
}
