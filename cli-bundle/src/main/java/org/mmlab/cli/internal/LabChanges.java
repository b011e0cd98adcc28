package org.mmlab.cli.internal;

import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;

/**
 * Wakes the wait for the lab to start whenever something in it changes: a bundle, a service or the
 * framework (their events), or anything that says so through {@link #changed()} (Gogo's shell finishing
 * its start-up), so that the first statement runs as soon as the lab is up rather than at the next look
 * of a fixed poll. A component becoming active without a service of its own announces nothing, so a
 * wait is bounded as well.
 */
final class LabChanges implements BundleListener, ServiceListener, FrameworkListener, AutoCloseable {

    private final BundleContext context;
    private long count;
    /** Bundle and framework events and {@link #changed()} calls: the changes but services'. */
    private long bundleCount;

    LabChanges(BundleContext context) {
        this.context = context;
        context.addBundleListener(this);
        context.addServiceListener(this);
        context.addFrameworkListener(this);
    }

    /** @return the changes so far: give it to {@link #awaitAfter} to miss none that happens meanwhile */
    synchronized long count() {
        return count;
    }

    /** @return the changes but services' so far: give it to {@link #awaitBundleChangeAfter} */
    synchronized long bundleCount() {
        return bundleCount;
    }

    /** Returns once there have been more than {@code seen} changes, or after {@code millis}. */
    synchronized void awaitAfter(long seen, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (long left = deadline - System.nanoTime(); count == seen && left > 0; left = deadline - System.nanoTime()) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /**
     * Returns once there have been more than {@code seen} changes but services' (a bundle's or the framework's
     * event, or {@link #changed()}), or after {@code millis}: a wait for the bundles to start looks again at
     * those only, not at each of the hundred services the starting bundles register.
     */
    synchronized void awaitBundleChangeAfter(long seen, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (long left = deadline - System.nanoTime(); bundleCount == seen && left > 0;
                left = deadline - System.nanoTime()) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    synchronized void changed() {
        count++;
        bundleCount++;
        notifyAll();
    }

    private synchronized void serviceChange() {
        count++;
        notifyAll();
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        changed();
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        serviceChange();
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        changed();
    }

    /** Stops listening: the lab is up, and the listeners would only cost its every later event a call. */
    @Override
    public void close() {
        try {
            context.removeBundleListener(this);
            context.removeServiceListener(this);
            context.removeFrameworkListener(this);
        } catch (IllegalStateException stopped) {
            // our bundle is already stopped; the listeners went with it
        }
    }
}
