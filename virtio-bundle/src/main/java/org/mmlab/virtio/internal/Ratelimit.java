package org.mmlab.virtio.internal;

/** Models lib/ratelimit.c's DEFINE_RATELIMIT_STATE(DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST): 10 per 5 s. */
final class Ratelimit {
    static final long INTERVAL_MS = 5_000;
    static final int BURST = 10;
    private long begin;
    private int printed;

    /** __ratelimit(): true if this message may be printed. */
    synchronized boolean allow() {
        long now = System.currentTimeMillis();
        if (begin == 0 || now - begin >= INTERVAL_MS) {
            begin = now;
            printed = 0;
        }
        if (printed < BURST) {
            printed++;
            return true;
        }
        return false;
    }
}
