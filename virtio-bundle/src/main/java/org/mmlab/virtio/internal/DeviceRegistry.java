package org.mmlab.virtio.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.mmlab.balloon.devices.DeviceNames;
import org.mmlab.mm.AddressSpace;
import org.mmlab.virtio.VirtioBalloonState;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.util.promise.Promise;

/**
 * The devices of this bundle by name (not in the kernel: the virtio bus's list of devices). A device
 * claims its name when it is probed and gives it back when it is removed, so two configurations with
 * the same name cannot both run. Offers the exported {@link VirtioBalloons} view.
 */
@Component(service = {VirtioBalloons.class, DeviceRegistry.class})
public class DeviceRegistry implements VirtioBalloons {
    private final DeviceNames<VirtioBalloonDevice> devices = new DeviceNames<>("virtio-balloon device",
            VirtioBalloonDevice::deviceName, VirtioBalloonDevice::live);
    private final VbPtr vbPtr;
    private final DeviceEvents events = new DeviceEvents();
    private final TargetWatch targets = new TargetWatch();

    /** Writes the driver's parameters (setVbPtr). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configAdmin;

    /** Outside the framework (unit tests, benchmarks): the merged design. */
    public DeviceRegistry() {
        this(new VbPtr());
    }

    @Activate
    public DeviceRegistry(@Reference VbPtr vbPtr) {
        this.vbPtr = vbPtr;
    }

    /** The driver module's vb_ptr design, shared by its devices. */
    VbPtr vbPtr() {
        return vbPtr;
    }

    /**
     * The reviewed v7 patch's module global (seed 003), struct address_space *balloon_mapping: one for
     * every device of this module that runs the v7 lifecycle. A module global lives as long as the
     * module: here, as long as this bundle's registry.
     */
    final AtomicReference<AddressSpace> balloonMapping = new AtomicReference<>();

    /** The module's WARN_ON_ONCE() sites that fired: their flags live in the module's data, so a reload clears them. */
    final Set<String> warnedOnce = ConcurrentHashMap.newKeySet();

    /** Claims the name; throws IllegalStateException, changing nothing, if another device has it. */
    void claim(String name, VirtioBalloonDevice d) {
        VirtioBalloonDevice other = devices.claimOrHolder(name, d);
        if (other != null) {
            throw new IllegalStateException("virtio-balloon device '" + name + "' exists already (configuration "
                    + other.pid() + "): give this configuration another name");
        }
    }

    void release(String name, VirtioBalloonDevice d) {
        if (devices.release(name, d)) {
            events.removed(name);
        }
    }

    /** virtballoon_probe() of d returned: it runs. */
    void probed(VirtioBalloonDevice d) {
        events.probed(d);
    }

    /** The probe of device name failed with err: it has no driver. */
    void probeFailed(String name, int err) {
        events.probeFailed(name, err);
    }

    /**
     * This bundle stops: a device SCR activated while it stopped is removed too (see DeviceNames.close),
     * and no wait for the devices goes on.
     */
    @Deactivate
    void deactivate() throws InterruptedException {
        devices.close(VirtioBalloonDevice::deactivate);
        targets.close();
        events.close();
    }

    /** The device, or empty (also while it is being probed or removed). */
    public Optional<VirtioBalloonDevice> get(String name) {
        return devices.get(name);
    }

    /** Every device that is probed and not being removed, by name. */
    public List<VirtioBalloonDevice> all() {
        return devices.all();
    }

    /** Every probed device, also those being removed (until virtballoon_remove() returned). */
    @Override
    public List<VirtioBalloonState> devices() {
        return devices.all(VirtioBalloonDevice::probed).stream().map(VirtioBalloonDevice::state).toList();
    }

    @Override
    public Optional<VirtioBalloonState> device(String name) {
        return devices.any(name).filter(VirtioBalloonDevice::probed)
                .map(VirtioBalloonDevice::state);
    }

    @Override
    public Promise<VirtioBalloonState> probed(String name) {
        return events.probed(name, () -> devices.any(name).orElse(null));
    }

    @Override
    public Promise<String> removed(String name) {
        return events.removed(name, () -> devices.has(name));
    }

    @Override
    public Promise<VirtioBalloonState> setTarget(String name, long pages) {
        VirtioBalloonDevice d = devices.require(name);
        if (d.vdev().broken()) {
            throw new IllegalStateException("device " + name + " is broken (see mm:dmesg): it takes no request until"
                    + " it is reset (change or re-create its configuration, or restart virtio-bundle)");
        }
        return targets.setTarget(d, pages);
    }

    /** The names of the devices that run, e.g. "0, 1", or "none". */
    public String names() {
        return devices.names();
    }

    @Override
    public DriverParameters driver() {
        return new DriverParameters(vbPtr.value(), vbPtr.vbPtrDevice(), Optional.ofNullable(vbPtr.refused()));
    }

    @Override
    public Promise<DriverParameters> setVbPtr(String value) {
        VbPtr.parse(value); // refuses a bad value before anything changes
        ConfigurationAdmin cm = configAdmin;
        if (cm == null) {
            throw new IllegalStateException("no Configuration Admin service: cannot change the driver's parameters");
        }
        try {
            Configuration conf = cm.getConfiguration(DRIVER_PID, "?");
            Dictionary<String, Object> props = conf.getProperties() == null ? new Hashtable<>() : conf.getProperties();
            props.put("vbPtr", value);
            conf.update(props);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write configuration " + DRIVER_PID + ": " + e.getMessage(), e);
        }
        return vbPtr.applied(value).map(v -> driver());
    }
}
