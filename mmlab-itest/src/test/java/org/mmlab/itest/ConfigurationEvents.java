package org.mmlab.itest;

import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;

/**
 * Configuration Admin's event thread as a barrier, as the race lab's set-up uses it (race-lab's
 * ConfigEventQueue, not exported): a reboot's promise is kept halfway through SCR re-making the components
 * that hold the guest on that thread, and the lab's commands, which follow the guest across reboots, say "no
 * guest is running" until SCR has bound them again. An event of a configuration of the test's own, fired
 * behind, is delivered once that work is done.
 */
final class ConfigurationEvents {
    private static final String PID = "org.mmlab.itest.barrier";

    private ConfigurationEvents() {
    }

    /** Returns when every configuration event fired before this call has been delivered to every listener. */
    static void drain() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(ConfigurationEvents.class).getBundleContext();
        CountDownLatch delivered = new CountDownLatch(1);
        ServiceRegistration<ConfigurationListener> listener = context.registerService(ConfigurationListener.class,
                e -> {
                    if (e.getType() == ConfigurationEvent.CM_UPDATED && PID.equals(e.getPid())) {
                        delivered.countDown();
                    }
                }, null);
        // held for the barrier's life: Configuration Admin is a service factory, its configurations die with the get
        ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
        try {
            Configuration barrier = context.getService(ref).getConfiguration(PID, "?");
            barrier.update(new Hashtable<>(Map.of("barrier", System.nanoTime())));
            try {
                if (!delivered.await(Await.WAIT_MS, TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("Configuration Admin's event thread did not get through its events");
                }
            } finally {
                barrier.delete();
            }
        } finally {
            context.ungetService(ref);
            listener.unregister();
        }
    }
}
