package org.mmlab.mm.hinting;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a hinting device registers with (a service of the bundle that holds the designs): mainline's
 * page_reporting_register()/page_reporting_unregister() (mm/page_reporting.c, v5.7) or the 2019
 * aerator's aerator_startup()/aerator_shutdown() ([PATCH v1 5/6]), whichever design is in force; a
 * change of design moves the registered device from one to the other.
 */
@ProviderType
public interface FreePageReporting {
    /**
     * page_reporting_register(prdev) / aerator_startup(a_dev_info): 0, or -EBUSY ({@link org.mmlab.mm.Errno})
     * if another device is registered: both designs take one device, system-wide. An initial pass is requested.
     */
    int register(HintingDevice device);

    /**
     * page_reporting_unregister(prdev) / aerator_shutdown(): once it returns, the design neither holds
     * pages for the device nor calls it, as far as the design's own rules make sure of that (see its
     * documentation: the lab also runs variants that do not). A device not registered is ignored.
     */
    void unregister(HintingDevice device);
}
