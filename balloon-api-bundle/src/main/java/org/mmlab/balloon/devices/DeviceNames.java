package org.mmlab.balloon.devices;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A driver bundle's devices by name: a device claims its name once it runs and gives it back when it is
 * removed, so two configurations with the same name cannot both run; lookups see only running devices
 * unless they say otherwise.
 *
 * @param <D> the bundle's device
 */
public final class DeviceNames<D> {
    private final String family;
    private final Function<D, String> name;
    private final Predicate<D> live;
    private final Map<String, D> devices = new ConcurrentHashMap<>();

    /**
     * @param family what a message calls one device, e.g. "VMware balloon"
     * @param name   a device's name
     * @param live   whether a device runs (probed, and not being removed)
     */
    public DeviceNames(String family, Function<D, String> name, Predicate<D> live) {
        this.family = family;
        this.name = name;
        this.live = live;
    }

    /** Claims the name; throws IllegalStateException, changing nothing, if another device has it. */
    public void claim(String deviceName, D d) {
        if (claimOrHolder(deviceName, d) != null) {
            throw new IllegalStateException(family + " '" + deviceName + "' exists already: give this configuration"
                    + " another name");
        }
    }

    /** Claims the name and returns null, or returns the device that has it and changes nothing. */
    public D claimOrHolder(String deviceName, D d) {
        return devices.putIfAbsent(deviceName, d);
    }

    /** Gives the name back, if d has it; true if it had. */
    public boolean release(String deviceName, D d) {
        return devices.remove(deviceName, d);
    }

    /** The device that has the name, running or not. */
    public Optional<D> any(String deviceName) {
        return Optional.ofNullable(devices.get(deviceName));
    }

    /** Whether a device, running or not, has the name. */
    public boolean has(String deviceName) {
        return devices.containsKey(deviceName);
    }

    /** The running device, or empty (also while it is being probed or removed). */
    public Optional<D> get(String deviceName) {
        return any(deviceName).filter(live);
    }

    /** Every running device, by name. */
    public List<D> all() {
        return all(live);
    }

    /** Every device that passes which, by name. */
    public List<D> all(Predicate<D> which) {
        List<D> l = new ArrayList<>(devices.values());
        l.removeIf(which.negate());
        l.sort(Comparator.comparing(name));
        return l;
    }

    /** The names of the running devices, e.g. "0, 1", or "none". */
    public String names() {
        List<String> names = all().stream().map(name).toList();
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    /** The running device; otherwise an IllegalArgumentException naming the devices that run. */
    public D require(String deviceName) {
        return get(deviceName).orElseThrow(() -> new IllegalArgumentException("no " + family + " '" + deviceName
                + "'; devices: " + names()));
    }
}
