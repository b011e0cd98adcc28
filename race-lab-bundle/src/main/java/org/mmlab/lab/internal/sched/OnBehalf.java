package org.mmlab.lab.internal.sched;

import java.util.Set;

/**
 * A simulated thread whose kernel work runs on a thread outside the run: its body starts the work and
 * waits; the first outside thread to reach one of the points meanwhile runs as this simulated thread,
 * stopping at each point as it would, until it has passed the last one, and then goes on outside the
 * schedule. It models a probe: a thread that creates a device's configuration has Configuration Admin's
 * thread run SCR and the driver's probe, as the kernel's driver core probes on a thread of its own.
 */
public final class OnBehalf implements Runnable {
    /** How long the body waits for the outside thread to have passed the last point. */
    static final long TIMEOUT_MS = 15_000;

    private final Runnable start;
    final Set<String> points;
    final String last;
    private volatile boolean released;

    /**
     * @param start  what the simulated thread does to start the work (e.g. create a configuration)
     * @param last   the point after which the outside thread leaves the schedule
     * @param points the points at which an outside thread is taken for this one (last among them)
     */
    public OnBehalf(Runnable start, String last, String... points) {
        this.start = start;
        this.last = last;
        this.points = Set.of(points);
        if (!this.points.contains(last)) {
            throw new IllegalArgumentException("the last point " + last + " is not one of " + this.points);
        }
    }

    /**
     * Starts the work, then waits (spinning: a simulated thread that parks would let the script's
     * patience for blocked threads run out while the work is on its way) until it passed the last point.
     */
    @Override
    public void run() {
        start.run();
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (!released) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("no thread outside the run reached " + points + " within "
                        + TIMEOUT_MS + " ms");
            }
            Thread.yield();
        }
    }

    boolean released() {
        return released;
    }

    void release() {
        released = true;
    }
}
