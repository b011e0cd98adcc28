package org.mmlab.balloon;

import org.mmlab.mm.MigrateMode;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * b_dev_info->migratepage: the driver's part of migrating an inflated page, which is to tell its host
 * that {@code newPfn} is inflated and {@code pfn} deflated. The balloon infrastructure does the list,
 * reference and counter work around it (the 2026 centralisation, in every contract) and calls it
 * without any balloon lock held.
 *
 * <p>Returns 0 (the host holds newPfn, not pfn), -ENOENT (pfn deflated, newPfn not inflated: the
 * balloon shrank by one page), -EAGAIN (busy: migration retries, e.g. when the driver's balloon_lock
 * is taken), or another negative errno (permanent: the page stays isolated and is put back).
 */
@ConsumerType
public interface BalloonMigrate {
    int migratepage(BalloonDevInfo b, int newPfn, int pfn, MigrateMode mode);
}
