package org.mmlab.mm;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Models lib/ratelimit.c (___ratelimit(), v6.18): at most burst messages per interval; the first call of
 * a new interval first prints "FUNC: N callbacks suppressed" for those the last one refused. One per
 * message site, as DEFINE_RATELIMIT_STATE makes one; the core's and every driver's.
 */
public final class Ratelimit {
    /** DEFAULT_RATELIMIT_INTERVAL: 5 * HZ. */
    public static final long DEFAULT_INTERVAL_NANOS = 5_000_000_000L;
    /** DEFAULT_RATELIMIT_BURST. */
    public static final int DEFAULT_BURST = 10;

    private final long intervalNanos;
    private final int burst;
    private final LongSupplier clock;
    private boolean started;
    private long begin;
    private int printed;
    private int missed;

    /** DEFINE_RATELIMIT_STATE(name, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST). */
    public Ratelimit() {
        this(DEFAULT_INTERVAL_NANOS, DEFAULT_BURST);
    }

    public Ratelimit(long intervalNanos, int burst) {
        this(intervalNanos, burst, System::nanoTime);
    }

    Ratelimit(long intervalNanos, int burst, LongSupplier clock) {
        this.intervalNanos = intervalNanos;
        this.burst = burst;
        this.clock = clock;
    }

    /** __ratelimit(): whether this message may be printed; what was suppressed goes to printk first. */
    public synchronized boolean allow(String function, Consumer<String> printk) {
        long now = clock.getAsLong();
        if (!started || now - begin >= intervalNanos) {
            if (missed > 0) {
                printk.accept(function + ": " + missed + " callbacks suppressed");
            }
            started = true;
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
