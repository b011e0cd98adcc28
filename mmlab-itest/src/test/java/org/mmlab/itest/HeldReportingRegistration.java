package org.mmlab.itest;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.mmlab.mm.hinting.FreePageReporting;
import org.mmlab.mm.hinting.HintingDevice;

/**
 * A free page reporting provider whose page_reporting_register(), once armed, holds the first device that
 * registers until {@link #release()}: a virtio device with REPORTING registers while SCR binds its references,
 * after the probe, so this holds the thread that activates the device halfway through. Registered above
 * aeration-bundle's provider (a higher ranking), it is the one a device binds.
 */
final class HeldReportingRegistration implements FreePageReporting {
    private final AtomicBoolean armed = new AtomicBoolean();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** The next registration is held. */
    void arm() {
        armed.set(true);
    }

    /** Waits until a device's registration is held; false if none came. */
    boolean awaitHeld() throws InterruptedException {
        return entered.await(Await.WAIT_MS, TimeUnit.MILLISECONDS);
    }

    /** The held registration returns (at the latest after Await.WAIT_MS, so that a broken test ends). */
    void release() {
        released.countDown();
    }

    @Override
    public int register(HintingDevice device) {
        if (armed.compareAndSet(true, false)) {
            entered.countDown();
            try {
                released.await(Await.WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return 0;
    }

    @Override
    public void unregister(HintingDevice device) {
    }
}
