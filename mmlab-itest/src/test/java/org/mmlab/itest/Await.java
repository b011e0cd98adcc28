package org.mmlab.itest;

import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.TimeoutException;

import org.osgi.util.promise.Promise;

/**
 * Waiting in the in-framework tests: for a promise of the lab's services, or for a condition that no
 * service announces, polled every 10 ms until it holds, or an AssertionError naming what did not happen.
 * The bound is for a lab that never gets there, not a timing claim: a slow machine only waits longer.
 */
final class Await {
    static final long WAIT_MS = 30_000;

    /** A condition that may run shell commands. */
    interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    static void until(String what, Condition c) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!c.holds()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** The promise's value; its failure, or the wait's, as an AssertionError naming what did not happen. */
    static <T> T value(Promise<T> p, String what) throws InterruptedException {
        try {
            return p.timeout(WAIT_MS).getValue();
        } catch (InvocationTargetException e) {
            throw new AssertionError(e.getCause() instanceof TimeoutException ? "timed out waiting for " + what
                    : what + ": " + e.getCause().getMessage(), e.getCause());
        }
    }
}
