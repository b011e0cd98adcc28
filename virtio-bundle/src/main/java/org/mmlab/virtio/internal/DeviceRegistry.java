package org.mmlab.virtio.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;

import org.mmlab.balloon.devices.DeviceNames;
import org.mmlab.mm.MemoryManager;
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
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.util.promise.Promise;

/**
 * The devices of this bundle by name (not in the kernel: the virtio bus's list of devices). A device
 * claims its name when it is probed and gives it back when it is removed, so two configurations with
 * the same name cannot both run. Offers the exported {@link VirtioBalloons} view. Immediate: it holds the
 * module's data ({@link ModuleGlobals}), which lives while the bundle is active, not while someone holds a
 * service (a delayed component is disposed when nobody does, and a race batch that holds it kept it across reboots).
 */
@Component(service = {VirtioBalloons.class, DeviceRegistry.class}, immediate = true)
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

    /** The module's static data in the guest that runs; null before a device asked or after the guest went. */
    private ModuleGlobals globals;

    /**
     * The module's static data in guest mm (balloon_mapping, the WARN_ON_ONCE() flags): one set for every
     * device of this module in that guest, made afresh for the next guest, as a reboot loads the module
     * afresh. It lives as long as this bundle is active and the guest runs, whoever holds this service:
     * the registry is immediate.
     */
    synchronized ModuleGlobals globals(MemoryManager mm) {
        if (globals == null || globals.mm != mm) {
            globals = new ModuleGlobals(mm);
        }
        return globals;
    }

    /** The guest goes (a reboot): so does the module's data in it (whose devices keep theirs until removed). */
    synchronized void guestGone(MemoryManager mm) {
        if (globals != null && globals.mm == mm) {
            globals = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "guestGone")
    void guestBooted(MemoryManager mm) {
        // the module's data in it is made when its first device asks
    }

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
