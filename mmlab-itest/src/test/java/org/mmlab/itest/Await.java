package org.mmlab.itest;

/**
 * Waiting for a condition in the in-framework tests: polled every 10 ms until it holds, or an
 * AssertionError naming what did not happen. The bound is for a lab that never gets there, not a
 * timing claim: a slow machine only waits longer.
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
}
