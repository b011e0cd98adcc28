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
 * unless they say otherwise. When the bundle stops, {@link #close} removes what SCR did not.
 *
 * @param <D> the bundle's device
 */
public final class DeviceNames<D> {
    private final String family;
    private final Function<D, String> name;
    private final Predicate<D> live;
    private final Map<String, D> devices = new ConcurrentHashMap<>();
    /**
     * How long a stop waits for a probe or a removal under way to end: a bound for a device that never ends
     * it (it is left then, and mm:check names it orphaned), not a timing claim.
     */
    static final long CLOSE_WAIT_MS = 10_000;
    /** The bundle stops: no device claims a name any more. Guarded by this, with the claims. */
    private boolean closed;

    /** How a driver removes one of its devices (its deactivation). */
    public interface Removal<D> {
        void remove(D device) throws InterruptedException;
    }

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

    /**
     * Claims the name and returns null, or returns the device that has it and changes nothing; throws
     * IllegalStateException, changing nothing, once the bundle stops.
     */
    public synchronized D claimOrHolder(String deviceName, D d) {
        if (closed) {
            throw new IllegalStateException(family + " '" + deviceName + "' does not start: its driver is stopping");
        }
        return devices.putIfAbsent(deviceName, d);
    }

    /**
     * The bundle stops (its registry's deactivation, after SCR deactivated the devices it knows): no device
     * claims a name any more, and every device that still holds one is removed, once its probe (or a
     * removal under way) ended. That is a device SCR activated on Configuration Admin's thread while the
     * bundle stopped (its configuration just recreated): SCR never deactivates it, and it would keep its
     * pages and call into the unloaded module, an orphan. The kernel's driver core never leaves one:
     * driver_unregister() waits for a probe under way and then detaches every device bound to the driver.
     *
     * @return the devices it removed
     */
    public List<D> close(Removal<D> removal) throws InterruptedException {
        return close(removal, CLOSE_WAIT_MS);
    }

    /** {@link #close(Removal)}, waiting at most waitMs for probes and removals under way. */
    List<D> close(Removal<D> removal, long waitMs) throws InterruptedException {
        synchronized (this) {
            closed = true;
        }
        long deadline = System.nanoTime() + waitMs * 1_000_000;
        List<D> removed = new ArrayList<>();
        for (Map.Entry<String, D> e : Map.copyOf(devices).entrySet()) {
            D d = e.getValue();
            // a device says nothing when its probe ends: polled, as seldom as a probe is under way at a stop
            while (devices.get(e.getKey()) == d && !live.test(d) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            if (devices.get(e.getKey()) == d && live.test(d)) {
                removal.remove(d);
                removed.add(d);
            }
        }
        return removed;
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
