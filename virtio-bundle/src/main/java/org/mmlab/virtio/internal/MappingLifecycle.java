package org.mmlab.virtio.internal;

/**
 * How a device's driver allocates, publishes and frees its balloon mapping under the 2012 contract
 * (the device's configuration: mappingInit, mappingFree, failInitVqs). v3.8, as merged: the balloon
 * infrastructure's balloon_mapping_alloc() allocates and initialises the mapping before b_dev_info
 * publishes it, and frees it with the device. v7, as the reviewed patch wrote it (seed 003): one module
 * global, balloon_mapping = kmalloc() first (every device's fill_balloon stores it from then on), then
 * its initialisation; its error path and remove kfree() it, and clear the pointer only when fixed.
 *
 * @param v7Init      balloon_mapping is the module's global, published before it is initialised
 * @param v7Free      kfree(balloon_mapping) leaves the global pointing at the freed memory
 * @param failInitVqs init_vqs() fails with -ENOMEM: probe takes its error path (fault injection)
 */
public record MappingLifecycle(boolean v7Init, boolean v7Free, boolean failInitVqs) {
    /** v3.8's lifecycle, no fault: the default. */
    public static final MappingLifecycle V38 = new MappingLifecycle(false, false, false);

    /**
     * @param init "v3.8" or "v7"
     * @param free "clear" or "v7" (only with init v7: under v3.8's lifecycle the mapping goes with its device)
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    public static MappingLifecycle parse(String init, String free, boolean failInitVqs) {
        if (!"v3.8".equals(init) && !"v7".equals(init)) {
            throw new IllegalArgumentException("mappingInit=" + init + ": must be v3.8 (allocated and initialised before"
                    + " anyone sees it) or v7 (the module's balloon_mapping, published, then initialised)");
        }
        if (!"clear".equals(free) && !"v7".equals(free)) {
            throw new IllegalArgumentException("mappingFree=" + free + ": must be clear (kfree, then balloon_mapping ="
                    + " NULL) or v7 (kfree only)");
        }
        if ("v7".equals(free) && !"v7".equals(init)) {
            throw new IllegalArgumentException("mappingFree=v7 needs mappingInit=v7: with v3.8's lifecycle the mapping"
                    + " is the balloon device's and goes with it");
        }
        return new MappingLifecycle("v7".equals(init), "v7".equals(free), failInitVqs);
    }
}
