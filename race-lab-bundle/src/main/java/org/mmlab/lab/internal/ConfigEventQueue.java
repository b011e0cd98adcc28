package org.mmlab.lab.internal;

import java.io.IOException;
import java.util.Hashtable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;

/**
 * Configuration Admin's event thread as a barrier. Configuration Admin delivers each change's event to the
 * (asynchronous) configuration listeners on one thread, one event after the other, and SCR is one of them:
 * what a change does to components (a reboot of the guest re-making every component that holds it, a device
 * probed again for its new properties) runs on that thread inside the event's delivery, and goes on after the
 * promise the change keeps has resolved (the guest's boot, the device's probe, both kept halfway through).
 * An event of the lab's own PID, fired behind, is delivered once that work is done.
 */
final class ConfigEventQueue {
    /** The lab's own configuration, made for each barrier and deleted after it; nothing reads it. */
    static final String PID = "org.mmlab.lab.barrier";
    private static final AtomicLong BARRIERS = new AtomicLong();

    private ConfigEventQueue() {
    }

    /** Returns when every configuration event fired before this call has been delivered to every listener. */
    static void drain(BundleContext context, ConfigurationAdmin cm, long timeoutMs)
            throws IOException, InterruptedException {
        CountDownLatch delivered = new CountDownLatch(1);
        // registered before the update: Configuration Admin takes the listeners of an event when it fires it
        ServiceRegistration<ConfigurationListener> listener = context.registerService(ConfigurationListener.class,
                e -> {
                    if (e.getType() == ConfigurationEvent.CM_UPDATED && PID.equals(e.getPid())) {
                        delivered.countDown();
                    }
                }, null);
        try {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("barrier", BARRIERS.incrementAndGet());
            Configuration barrier = cm.getConfiguration(PID, "?");
            barrier.update(props);
            try {
                if (!delivered.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("Configuration Admin's event thread did not get through its"
                            + " events within " + timeoutMs / 1000 + " s (a listener holds it: see the threads, e.g."
                            + " with jstack)");
                }
            } finally {
                barrier.delete(); // not left among the user's configurations (the Web Console lists them)
            }
        } finally {
            listener.unregister();
        }
    }
}
