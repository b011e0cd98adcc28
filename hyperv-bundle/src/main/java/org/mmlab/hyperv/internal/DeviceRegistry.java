package org.mmlab.hyperv.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.mmlab.hyperv.HvBalloonState;
import org.mmlab.hyperv.HvBalloons;
import org.osgi.service.component.annotations.Component;

/**
 * The devices of this bundle by name (not in the kernel, whose dm_device is one static struct). A device
 * claims its name once probed and gives it back when removed, so two configurations with the same name cannot
 * both run. Offers the exported {@link HvBalloons} view and the hosts' acts.
 */
@Component(service = {HvBalloons.class, DeviceRegistry.class})
public class DeviceRegistry implements HvBalloons {
    private final Map<String, HvDevice> devices = new ConcurrentHashMap<>();

    /** Claims the name; throws IllegalStateException, changing nothing, if another device has it. */
    void claim(String name, HvDevice d) {
        if (devices.putIfAbsent(name, d) != null) {
            throw new IllegalStateException("Hyper-V balloon '" + name + "' exists already: give this configuration"
                    + " another name");
        }
    }

    void release(String name, HvDevice d) {
        devices.remove(name, d);
    }

    /** The device, or empty (also while it is being probed or removed). */
    public Optional<HvDevice> get(String name) {
        return Optional.ofNullable(devices.get(name)).filter(HvDevice::live);
    }

    /** Every running device, by name. */
    public List<HvDevice> all() {
        List<HvDevice> l = new ArrayList<>(devices.values());
        l.removeIf(d -> !d.live());
        l.sort(Comparator.comparing(HvDevice::deviceName));
        return l;
    }

    @Override
    public List<HvBalloonState> devices() {
        return all().stream().map(HvDevice::state).toList();
    }

    @Override
    public Optional<HvBalloonState> device(String name) {
        return get(name).map(HvDevice::state);
    }

    @Override
    public void setHostTarget(String name, long pages) {
        if (pages < 0) {
            throw new IllegalArgumentException("a target of " + pages + " pages: a target is 0 or more pages");
        }
        require(name).host().setTarget(pages);
    }

    @Override
    public void hotAdd(String name, long pages) {
        require(name).host().hotAdd(pages);
    }

    /** The running device; a clear error naming the devices otherwise. */
    public HvDevice require(String name) {
        return get(name).orElseThrow(() -> new IllegalArgumentException("no Hyper-V balloon '" + name + "'; devices: "
                + (all().isEmpty() ? "none" : String.join(", ", all().stream().map(HvDevice::deviceName).toList()))));
    }
}
