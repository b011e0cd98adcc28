package org.mmlab.mm.internal;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Models stop_machine() (kernel/stop_machine.c) with a percpu_rw_semaphore's shape: every task
 * running mm code is inside a cheap, striped read section; stopMachine() waits until no task is
 * inside, runs its function on a frozen machine (mm:check), then lets everyone go on.
 */
final class StopMachine {
    private static final int STRIPES = 64;
    private static final int PAD = 16; // one counter per 128-byte line
    private final AtomicLongArray inside = new AtomicLongArray(STRIPES * PAD);
    private final ReentrantLock writer = new ReentrantLock();
    private volatile boolean stopping;
    private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);

    private static int stripe() {
        return stripe(Thread.currentThread().getId());
    }

    /**
     * A task's counter: the top bits of a Fibonacci hash of its id, so every id, however large, gets a
     * stripe in range (a narrowed hash taken modulo went negative from thread id 53,020 on).
     */
    static int stripe(long threadId) {
        return (int) ((threadId * 0x9E3779B97F4A7C15L) >>> (Long.SIZE - Integer.numberOfTrailingZeros(STRIPES))) * PAD;
    }

    /** The task enters mm code (nestable). */
    void enter() {
        int[] d = depth.get();
        if (d[0]++ > 0) {
            return;
        }
        int s = stripe();
        while (true) {
            inside.incrementAndGet(s);
            if (!stopping) {
                return;
            }
            inside.decrementAndGet(s);
            writer.lock(); // wait for the stopped machine to restart
            writer.unlock();
        }
    }

    void exit() {
        int[] d = depth.get();
        if (--d[0] > 0) {
            return;
        }
        inside.decrementAndGet(stripe());
    }

    /**
     * schedule() from inside mm code: a task that sleeps (on a page lock) is not running on a CPU, so
     * stop_machine need not wait for it, and mm:check may see the state it sleeps in. Leaves the read
     * section whatever its nesting; returns the depth that {@link #wake(int)} restores.
     */
    int sleep() {
        int[] d = depth.get();
        int saved = d[0];
        if (saved > 0) {
            d[0] = 0;
            inside.decrementAndGet(stripe());
        }
        return saved;
    }

    /** Back from {@link #sleep()}: re-enters (waiting while the machine is stopped) at the saved depth. */
    void wake(int saved) {
        if (saved > 0) {
            enter();
            depth.get()[0] = saved;
        }
    }

    /** Runs fn once no task is in mm code; a task already inside (the caller) is allowed. */
    <T> T stopMachine(Supplier<T> fn) {
        if (writer.isHeldByCurrentThread()) {
            return fn.get(); // already stopped by this task: nesting must not restart the machine
        }
        writer.lock();
        try {
            stopping = true;
            long own = depth.get()[0] > 0 ? 1 : 0;
            while (total() > own) {
                Thread.onSpinWait();
                Thread.yield();
            }
            return fn.get();
        } finally {
            stopping = false;
            writer.unlock();
        }
    }

    private long total() {
        long n = 0;
        for (int i = 0; i < STRIPES; i++) {
            n += inside.get(i * PAD);
        }
        return n;
    }
}
