package org.mmlab.lab.internal;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A virtio-balloon device as `virtio:devices` shows it (VirtioBalloonState: actual, numPages,
 * isolatedPages, broken, ...), read from the VirtioBalloons service by reflection, without a shell
 * round trip. The lab does not import org.mmlab.virtio: races stop and uninstall virtio-bundle, and a
 * wire to it would keep the uninstalled revision, whose successor's service the lab would not see.
 */
final class VirtioView implements AutoCloseable {
    static final String SERVICE = "org.mmlab.virtio.VirtioBalloons";
    private static final long POLL_NS = 100_000;

    private final ServiceTracker<Object, Object> balloons;

    VirtioView(BundleContext context) throws InvalidSyntaxException {
        balloons = new ServiceTracker<>(context, context.createFilter("(objectClass=" + SERVICE + ")"), null);
        balloons.open(true); // all services: the lab cannot see the class, and need not
    }

    /** The device's state by component name, or null if no device of that name runs. */
    Map<String, Object> device(String name) throws ReflectiveOperationException {
        Object service = balloons.getService();
        if (service == null) {
            return null;
        }
        Method device = null;
        for (Class<?> c : service.getClass().getInterfaces()) {
            if (c.getName().equals(SERVICE)) {
                device = c.getMethod("device", String.class);
            }
        }
        if (device == null) {
            throw new IllegalStateException(service.getClass().getName() + " does not implement " + SERVICE);
        }
        Optional<?> state = (Optional<?>) device.invoke(service, name);
        if (state.isEmpty()) {
            return null;
        }
        Object s = state.get();
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent rc : s.getClass().getRecordComponents()) {
            out.put(rc.getName(), rc.getAccessor().invoke(s));
        }
        return out;
    }

    /**
     * Waits until the device runs with this many pages in the balloon, none isolated, and the guest
     * told the host so (config actual: the driver's fill or leak has returned, balloon_lock is free).
     */
    void awaitPages(String name, long pages, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        Map<String, Object> last = null;
        while (System.nanoTime() < deadline) {
            last = device(name);
            if (last != null && Boolean.TRUE.equals(last.get("broken"))) {
                throw new IllegalStateException("virtio-balloon device " + name + " is broken (see mm:dmesg): " + last);
            }
            if (last != null && number(last, "actual") == pages && number(last, "numPages") == pages
                    && number(last, "isolatedPages") == 0) {
                return;
            }
            LockSupport.parkNanos(POLL_NS);
        }
        throw new IllegalStateException("virtio-balloon device " + name + " did not reach " + pages + " pages in "
                + timeoutMs + " ms: " + (last == null ? "it does not run" : last));
    }

    private static long number(Map<String, Object> state, String key) {
        return ((Number) state.get(key)).longValue();
    }

    @Override
    public void close() {
        balloons.close();
    }
}
