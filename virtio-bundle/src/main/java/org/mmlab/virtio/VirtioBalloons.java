package org.mmlab.virtio;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;
import org.osgi.util.promise.Promise;

/**
 * Every virtio-balloon device running now (one per factory configuration of org.mmlab.virtio.balloon),
 * the host's side of each (its target), and the driver module's parameters. What takes time (a probe, a
 * removal, the driver reaching a target, a parameter reaching the driver) is a Promise; none resolves by
 * itself when it cannot happen, so wait with a timeout.
 */
@ProviderType
public interface VirtioBalloons {
    /** The factory PID whose configurations make devices. */
    String FACTORY_PID = "org.mmlab.virtio.balloon";
    /** The driver module's parameters, as /sys/module/virtio_balloon/parameters (property vbPtr). */
    String DRIVER_PID = "org.mmlab.virtio.driver";

    /** A snapshot of every device, by device name. */
    List<VirtioBalloonState> devices();

    /** A snapshot of one device, if it runs. */
    Optional<VirtioBalloonState> device(String name);

    /**
     * The device once its probe has returned (virtballoon_probe()): at once if it runs; failed with the
     * errno if its probe fails; failed if this bundle stops first.
     */
    Promise<VirtioBalloonState> probed(String name);

    /** Once the device is gone (virtballoon_remove() returned, or this bundle stopped): at once if it does not run. */
    Promise<String> removed(String name);

    /**
     * The host asks for this many pages (config num_pages, any number, as a host may), and the promise
     * resolves with the device's state once the driver reached them: num_pages and config actual at the
     * target, no page isolated by migration, no fill, leak or update in progress. It fails with why the
     * driver stopped short (e.g. "device 0 stopped at 100 of 200 pages: the OOM notifier keeps deflating
     * the balloon ...") once it has not come closer for a while, or the device broke or went.
     *
     * @throws IllegalArgumentException when no device of that name runs
     * @throws IllegalStateException    when the device is broken (it takes no request until it is reset)
     */
    Promise<VirtioBalloonState> setTarget(String name, long pages);

    /** The driver module's parameters in force. */
    DriverParameters driver();

    /**
     * Writes vbPtr ("per-device" or "global") to the driver's configuration (PID {@link #DRIVER_PID}): the
     * promise resolves once the driver runs with it.
     *
     * @throws IllegalArgumentException for any other value, before anything is written
     */
    Promise<DriverParameters> setVbPtr(String value);

    /**
     * The driver module's parameters.
     *
     * @param vbPtr        "per-device" (merged: migration talks to the page's device) or "global" (the reviewed
     *                     v7 patch: vb_ptr, the device probed last)
     * @param vbPtrDevice  the device vb_ptr points to, e.g. "virtio1" or "virtio1 (removed)"; "none" before a probe
     * @param refused      a value the configuration had and the driver refused, with why; empty when none
     */
    record DriverParameters(String vbPtr, String vbPtrDevice, Optional<String> refused) {
    }
}
