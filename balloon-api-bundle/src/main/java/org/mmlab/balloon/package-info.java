/**
 * The common balloon infrastructure (mm/balloon.c, include/linux/balloon.h) as balloon drivers use
 * it: a device's balloon_dev_info, allocating, enqueueing and dequeueing balloon pages, and the
 * driver's migratepage callback. It behaves as the kernel of the guest's migration contract did.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package org.mmlab.balloon;
