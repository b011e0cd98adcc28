package org.mmlab.lab.internal;

import java.io.IOException;
import java.util.Hashtable;
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
 * An update of the lab's own configuration, fired behind, is delivered once that work is done.
 * <p>
 * One barrier serves a batch (a {@link LabContext}): its listener and its configuration are made at the first
 * {@link #drain} and gone at {@link #close}, so that a drain (races 1, 10 and 13 drain after every run's reboot)
 * is one update and its event, not also a service registered and unregistered, a configuration made and
 * deleted and each of those written to Configuration Admin's storage. The barrier is the same: the n-th drain
 * returns once the event of its own update, the n-th of its configuration, has been delivered, and each
 * batch has a configuration of its own (PID org.mmlab.lab.barrier.N), so that one batch's updates never count for
 * another's. Not a factory configuration: a storm counts the deletions of those as devices gone.
 */
final class ConfigEventQueue implements AutoCloseable {
    /** The PID of the lab's barriers, followed by ".N" for the N-th batch's; nothing reads them. */
    static final String PID = "org.mmlab.lab.barrier";
    private static final AtomicLong BATCHES = new AtomicLong();

    private final BundleContext context;
    private ServiceRegistration<ConfigurationListener> listener;
    /** The Configuration Admin the barrier was made with (a new one, after a restart of its bundle, makes another). */
    private ConfigurationAdmin owner;
    private Configuration barrier;
    private String barrierPid;
    /** Updates of the barrier sent, and their events delivered (in order: one thread delivers them). */
    private long sent;
    private long delivered;

    ConfigEventQueue(BundleContext context) {
        this.context = context;
    }

    /** Returns when every configuration event fired before this call has been delivered to every listener. */
    synchronized void drain(ConfigurationAdmin cm, long timeoutMs) throws IOException, InterruptedException {
        if (owner != cm) {
            if (owner != null) {
                try {
                    close();
                } catch (IllegalStateException gone) {
                    // the Configuration Admin it was made with has gone, and its configurations with it
                }
            }
            barrierPid = PID + "." + BATCHES.incrementAndGet();
            Configuration c = cm.getConfiguration(barrierPid, "?");
            // registered before the first update: Configuration Admin takes the listeners of an event when it fires it
            listener = context.registerService(ConfigurationListener.class, this::event, null);
            barrier = c;
            owner = cm;
            sent = 0;
            delivered = 0;
        }
        long n = ++sent;
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("barrier", n);
        barrier.update(props);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (delivered < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("Configuration Admin's event thread did not get through its"
                        + " events within " + timeoutMs / 1000 + " s (a listener holds it: see the threads, e.g."
                        + " with jstack)");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    private synchronized void event(ConfigurationEvent e) {
        if (e.getType() == ConfigurationEvent.CM_UPDATED && e.getPid().equals(barrierPid)) {
            delivered++;
            notifyAll();
        }
    }

    /** The barrier's configuration deleted (not left among the user's: the Web Console lists them), its listener gone. */
    @Override
    public synchronized void close() throws IOException {
        try {
            if (barrier != null) {
                barrier.delete();
            }
        } finally {
            barrier = null;
            owner = null;
            if (listener != null) {
                listener.unregister();
                listener = null;
            }
        }
    }
}
