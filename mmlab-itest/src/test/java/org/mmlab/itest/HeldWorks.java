package org.mmlab.itest;

import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The lab's injection-point hook, for tests that need a driver's work held in the middle of what it does
 * (its thread named by a prefix, held at a point, e.g. before a blocking lock: "lock:&vb->balloon_lock")
 * until the test releases it; it also counts modules going (their stop has begun). Lock points are on
 * while it is registered.
 */
final class HeldWorks implements AutoCloseable {
    private final ServiceRegistration<InjectionPoints> reg;
    private final Map<String, String> armed = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger going = new AtomicInteger();
    private final AtomicBoolean hooked = new AtomicBoolean();

    HeldWorks(BundleContext context, MmLab lab) throws Exception {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(InjectionPoints.LOCK_POINTS, Boolean.TRUE);
        reg = context.registerService(InjectionPoints.class, this::at, props);
        Await.until("mm-core calling the test's injection points", () -> {
            lab.injectionPoint(InjectionPoints.START, -1);
            return hooked.get();
        });
    }

    /** The next time a thread whose name starts with threadPrefix reaches point, it waits for {@link #release()}. */
    void hold(String threadPrefix, String point) {
        held.put(threadPrefix, new CountDownLatch(1));
        armed.put(threadPrefix, point);
    }

    void awaitHeld(String threadPrefix) throws Exception {
        Await.until(threadPrefix + "held", () -> held.get(threadPrefix).getCount() == 0);
    }

    /** Waits until n modules are going (their bundles' stops have begun). */
    void awaitGoing(int n) throws Exception {
        Await.until(n + " modules going", () -> going.get() >= n);
    }

    void release() {
        release.countDown();
    }

    private void at(String point, int pfn) {
        if (point.equals(InjectionPoints.START)) {
            hooked.set(true);
        } else if (point.equals(InjectionPoints.MODULE_GOING)) {
            going.incrementAndGet();
        }
        String name = Thread.currentThread().getName();
        for (Map.Entry<String, String> a : armed.entrySet()) {
            if (name.startsWith(a.getKey()) && point.equals(a.getValue()) && armed.remove(a.getKey(), a.getValue())) {
                held.get(a.getKey()).countDown();
                awaitRelease();
            }
        }
    }

    private void awaitRelease() {
        boolean interrupted = false;
        while (true) {
            try {
                if (release.await(Await.WAIT_MS, TimeUnit.MILLISECONDS)) {
                    break;
                }
                throw new IllegalStateException("held for " + Await.WAIT_MS + " ms and never released");
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release();
        reg.unregister();
    }
}
