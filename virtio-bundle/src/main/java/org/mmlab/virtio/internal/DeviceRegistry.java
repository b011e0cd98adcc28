package org.mmlab.virtio.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.mmlab.mm.AddressSpace;
import org.mmlab.virtio.VirtioBalloonState;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The devices of this bundle by name (not in the kernel: the virtio bus's list of devices). A device
 * claims its name when it is probed and gives it back when it is removed, so two configurations with
 * the same name cannot both run. Offers the exported {@link VirtioBalloons} view.
 */
@Component(service = {VirtioBalloons.class, DeviceRegistry.class})
public class DeviceRegistry implements VirtioBalloons {
    private final Map<String, VirtioBalloonDevice> devices = new ConcurrentHashMap<>();
    private final VbPtr vbPtr;

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

    /** Claims the name; throws IllegalStateException, changing nothing, if another device has it. */
    void claim(String name, VirtioBalloonDevice d) {
        VirtioBalloonDevice other = devices.putIfAbsent(name, d);
        if (other != null) {
            throw new IllegalStateException("virtio-balloon device '" + name + "' exists already (configuration "
                    + other.pid() + "): give this configuration another name");
        }
    }

    void release(String name, VirtioBalloonDevice d) {
        devices.remove(name, d);
    }

    /** The device, or empty (also while it is being probed or removed). */
    public Optional<VirtioBalloonDevice> get(String name) {
        return Optional.ofNullable(devices.get(name)).filter(VirtioBalloonDevice::live);
    }

    /** Every device that is probed and not being removed, by name. */
    public List<VirtioBalloonDevice> all() {
        List<VirtioBalloonDevice> l = new ArrayList<>(devices.values());
        l.removeIf(d -> !d.live());
        l.sort(Comparator.comparing(VirtioBalloonDevice::deviceName));
        return l;
    }

    /** Every probed device, also those being removed (until virtballoon_remove() returned). */
    @Override
    public List<VirtioBalloonState> devices() {
        List<VirtioBalloonDevice> l = new ArrayList<>(devices.values());
        l.removeIf(d -> !d.probed());
        l.sort(Comparator.comparing(VirtioBalloonDevice::deviceName));
        return l.stream().map(VirtioBalloonDevice::state).toList();
    }

    @Override
    public Optional<VirtioBalloonState> device(String name) {
        return Optional.ofNullable(devices.get(name)).filter(VirtioBalloonDevice::probed)
                .map(VirtioBalloonDevice::state);
    }
}
