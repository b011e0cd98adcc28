package org.mmlab.mm.lab;

import java.util.List;
import java.util.OptionalLong;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A driver family in the lab's hot-plug storms (lab:storm), which no kernel has: a balloon driver bundle
 * joins every storm by registering one of these while it runs. The storm loads and unloads the bundle
 * named here, deletes and recreates its devices' factory configurations, and moves its hosts' targets on
 * every device while it does. Nothing else names the families: a new driver registers this and is in.
 */
@ConsumerType
public interface StormTarget {
    /** The family's name on lab:storm's --drivers, e.g. "virtio" or "vmware". */
    String family();

    /** The symbolic name of the driver bundle the storm stops, uninstalls and updates, e.g. "virtio-bundle". */
    String bundle();

    /**
     * The factory PID whose configurations make the family's devices, e.g. "org.mmlab.virtio.balloon"; for
     * a bundle configured as a whole (aeration-bundle), the PID of that one configuration.
     */
    String factoryPid();

    /** The names of the devices that run now. */
    List<String> devices();

    /**
     * The host asks this device for this many 4 KiB pages and rings the guest; this does not wait for the
     * driver to get there. A device that went (or broke) meanwhile throws and nothing changes.
     */
    void moveTarget(String device, long pages);

    /**
     * The pages the host asks of this device now (its configuration's, or the last move's), so that a storm
     * can leave the targets as it found them; empty for a device that is not there, or a family without targets.
     */
    default OptionalLong target(String device) {
        return OptionalLong.empty();
    }

    /**
     * Why unloading this family's driver loses the pages in its balloons by the kernel's own design (its
     * remove path gives them back to nobody), or null when it returns them. A storm given no --drivers
     * leaves such a family out; named in --drivers, it is in, and the storm reports the pages it loses.
     */
    default String unloadLosesPages() {
        return null;
    }
}
