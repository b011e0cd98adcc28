package org.mmlab.mm.internal;

/** Models lib/ratelimit.c: at most burst messages per interval, then "N callbacks suppressed". */
final class Ratelimit {
    private final long intervalNanos;
    private final int burst;
    private long begin;
    private int printed;
    private int missed;

    Ratelimit(long intervalNanos, int burst) {
        this.intervalNanos = intervalNanos;
        this.burst = burst;
    }

    /** __ratelimit(): whether this message may be printed; reports what was suppressed when a new interval starts. */
    synchronized boolean allow(Dmesg dmesg, String function) {
        long now = System.nanoTime();
        if (begin == 0 || now - begin >= intervalNanos) {
            if (missed > 0) {
                dmesg.printk(function + ": " + missed + " callbacks suppressed");
            }
            begin = now;
            printed = 0;
            missed = 0;
        }
        if (printed < burst) {
            printed++;
            return true;
        }
        missed++;
        return false;
    }
}
