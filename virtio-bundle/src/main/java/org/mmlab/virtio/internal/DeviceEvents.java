package org.mmlab.virtio.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.mmlab.virtio.VirtioBalloonState;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;

/**
 * The promises of devices appearing and going (not in the kernel: the lab's tools wait on what the
 * virtio bus does on Configuration Admin's thread): kept by the device's probe and its removal.
 */
final class DeviceEvents {
    /** Guarded by this. */
    private final Map<String, List<Deferred<VirtioBalloonState>>> probes = new HashMap<>();
    private final Map<String, List<Deferred<String>>> removals = new HashMap<>();
    private boolean closed;

    /** The device once probed; device looks it up (null: none of that name), in step with the events. */
    synchronized Promise<VirtioBalloonState> probed(String name, Supplier<VirtioBalloonDevice> device) {
        Deferred<VirtioBalloonState> p = new Deferred<>();
        VirtioBalloonDevice d = device.get();
        if (d != null && d.probed()) {
            p.resolve(d.state());
        } else if (closed) {
            p.fail(new IllegalStateException("virtio-bundle stopped before device " + name + " was probed"));
        } else {
            probes.computeIfAbsent(name, k -> new ArrayList<>()).add(p);
        }
        return p.getPromise();
    }

    /** The device gone; running says whether a device of that name runs, in step with the events. */
    synchronized Promise<String> removed(String name, BooleanSupplier running) {
        Deferred<String> p = new Deferred<>();
        if (!running.getAsBoolean() || closed) {
            p.resolve(name);
        } else {
            removals.computeIfAbsent(name, k -> new ArrayList<>()).add(p);
        }
        return p.getPromise();
    }

    /** virtballoon_probe() returned: the device runs. */
    synchronized void probed(VirtioBalloonDevice d) {
        List<Deferred<VirtioBalloonState>> waiting = probes.remove(d.deviceName());
        if (waiting != null) {
            VirtioBalloonState s = d.state();
            waiting.forEach(p -> p.resolve(s));
        }
    }

    /** The probe failed: the device has no driver. */
    synchronized void probeFailed(String name, int err) {
        List<Deferred<VirtioBalloonState>> waiting = probes.remove(name);
        if (waiting != null) {
            waiting.forEach(p -> p.fail(new IllegalStateException("virtio-balloon device " + name
                    + ": probe with driver virtio_balloon failed with error " + err)));
        }
    }

    /** The device is gone. */
    synchronized void removed(String name) {
        List<Deferred<String>> waiting = removals.remove(name);
        if (waiting != null) {
            waiting.forEach(p -> p.resolve(name));
        }
    }

    /** This bundle stops: every device goes, none is probed any more. */
    synchronized void close() {
        closed = true;
        probes.forEach((name, waiting) -> waiting.forEach(p -> p.fail(new IllegalStateException(
                "virtio-bundle stopped before device " + name + " was probed"))));
        removals.forEach((name, waiting) -> waiting.forEach(p -> p.resolve(name)));
        probes.clear();
        removals.clear();
    }
}
