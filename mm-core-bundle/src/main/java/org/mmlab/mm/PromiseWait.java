package org.mmlab.mm;

import java.lang.reflect.InvocationTargetException;

import org.osgi.util.promise.Promise;
import org.osgi.util.promise.TimeoutException;

/**
 * Waiting a bounded time for a promise of the lab's services (a reboot, a driver taking a parameter,
 * a device's probe), for every bundle's commands: the promise's own timeout fails it with an
 * {@link TimeoutException} that has no message, which a shell would print as a Java class name.
 */
public final class PromiseWait {
    private PromiseWait() {
    }

    /**
     * The promise's value within {@code ms} milliseconds.
     *
     * @param what what was awaited, e.g. "the guest to reboot"; a timeout says
     *            "waiting for WHAT: timed out after N s (see the log: log warn)"
     * @throws IllegalStateException for a timeout, or a checked failure (with its message)
     * @throws RuntimeException the promise's own failure, as it is
     */
    public static <T> T within(Promise<T> p, long ms, String what) throws InterruptedException {
        try {
            return p.timeout(ms).getValue();
        } catch (InvocationTargetException e) {
            Throwable why = e.getCause();
            if (why instanceof TimeoutException) {
                throw new IllegalStateException("waiting for " + what + ": timed out after "
                        + (ms >= 1000 ? ms / 1000 + " s" : ms + " ms") + " (see the log: log warn)");
            }
            if (why instanceof RuntimeException r) {
                throw r;
            }
            if (why instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(why.getMessage(), why);
        }
    }
}
