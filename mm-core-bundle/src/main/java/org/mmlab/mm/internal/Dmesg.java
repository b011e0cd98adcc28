package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Models the printk ring buffer (kernel/printk): the last lines the simulated kernel printed,
 * each stamped with seconds since boot, as dmesg shows them.
 */
public final class Dmesg {
    static final int CAPACITY = 16384;

    private final long bootNanos = System.nanoTime();
    private final String[] ring = new String[CAPACITY];
    private long written;
    /** Where the lab's own warnings go besides the ring: the OSGi log (MmCore sets it); nowhere outside the framework. */
    volatile BiConsumer<String, Throwable> labLog = (text, cause) -> { };

    /**
     * A warning of the lab's own, not a kernel message: printed like one, and logged with its cause, so
     * that {@code log warn} in the shell shows it and the stack trace of what failed.
     */
    public void warn(String text, Throwable cause) {
        printk(text);
        labLog.accept(text, cause);
    }

    /** printk(): one or more lines, each stamped. */
    public void printk(String text) {
        long t = (System.nanoTime() - bootNanos) / 1000;
        String stamp = String.format("[%5d.%06d] ", t / 1_000_000, t % 1_000_000);
        synchronized (ring) {
            for (String line : text.split("\n", -1)) {
                ring[(int) (written++ % CAPACITY)] = stamp + line;
            }
        }
    }

    /** Lines written since boot. */
    public long seq() {
        synchronized (ring) {
            return written;
        }
    }

    /** The lines written since seq that the ring still holds. */
    public List<String> since(long seq) {
        synchronized (ring) {
            List<String> out = new ArrayList<>();
            for (long i = Math.max(seq, written - CAPACITY); i < written; i++) {
                out.add(ring[(int) (i % CAPACITY)]);
            }
            return out;
        }
    }

    public List<String> lines() {
        synchronized (ring) {
            int n = (int) Math.min(written, CAPACITY);
            List<String> out = new ArrayList<>(n);
            for (long i = written - n; i < written; i++) {
                out.add(ring[(int) (i % CAPACITY)]);
            }
            return out;
        }
    }

    /** Lines written since boot, including those the ring has already dropped. */
    public long written() {
        synchronized (ring) {
            return written;
        }
    }

    public void clear() {
        synchronized (ring) {
            written = 0;
        }
    }
}
