package org.mmlab.balloon;

import java.util.List;

import org.mmlab.mm.MigrationContract;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Every balloon device mm/balloon.c knows, of every driver, for tools that are no driver (the lab's page,
 * its JSON): one service, unlike {@link Balloons}, which each driver bundle gets its own of. A driver
 * bundle that lands later (Hyper-V, Xen, free page reporting) shows up here with its first device.
 */
@ProviderType
public interface BalloonDevices {
    /** The migration contract of this guest's balloon infrastructure. */
    MigrationContract contract();

    /** Every device, of every driver, that has not been removed, in the order they were made. */
    List<BalloonDevInfo> devices();
}
