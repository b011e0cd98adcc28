package org.mmlab.app;

import java.util.Hashtable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;

/**
 * A test's bundle (ConfigurationAdminJarTest builds its jar and drops it into the lab's drivers/ folder; an
 * activator, as nothing reads DS annotations in a jar made at test time): holds Configuration Admin's event
 * thread in the first update event of PID {@value #PID} until {@code gate:release}, as a listener that takes
 * its time does, so that the events of the changes made meanwhile are delivered after those changes.
 */
public final class CmEventGate implements BundleActivator, ConfigurationListener {
    static final String PID = "mmlab.test.gate";
    /** Configuration Admin's thread is let go after this whatever happens, so that a broken test stops. */
    private static final long HOLD_MS = 60_000;

    private final CountDownLatch released = new CountDownLatch(1);

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> command = new Hashtable<>();
        command.put("osgi.command.scope", "gate");
        command.put("osgi.command.function", new String[] {"release"});
        context.registerService(ConfigurationListener.class, this, command);
    }

    @Override
    public void stop(BundleContext context) {
        release();
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() == ConfigurationEvent.CM_UPDATED && event.getPid().equals(PID)) {
            try {
                released.await(HOLD_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** gate:release: Configuration Admin's event thread goes on. */
    public void release() {
        released.countDown();
    }
}
