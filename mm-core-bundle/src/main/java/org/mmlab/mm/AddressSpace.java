package org.mmlab.mm;

import org.osgi.annotation.versioning.ProviderType;

/**
 * struct address_space, as far as page migration looks at it: what {@code page->mapping} of a
 * movable page points to under the 2012 and 2016 contracts. The core creates it
 * ({@link MovablePages2012#balloonMappingAlloc} in 2012, {@link MovablePages2016#allocAnonInode} in 2016).
 */
@ProviderType
public interface AddressSpace {
    /** The handle page->mapping stores (shifted left by two, the PAGE_MAPPING_* bits below it). */
    int handle();

    /** mapping->a_ops. */
    AddressSpaceOperations aOps();

    /** mapping->private_data: the balloon_dev_info in 2012, whatever the driver gave in 2016. */
    Object privateData();

    /** mapping_balloon(): AS_BALLOON_MAP is set (a 2012 balloon mapping). */
    boolean isBalloon();
}
