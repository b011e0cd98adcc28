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
    /** Held while the stopped machine's function runs: the host (not a guest task) waits only for that. */
    private final ReentrantLock frozen = new ReentrantLock();
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

    /**
     * The host (QEMU, another process) touches the guest's memory: stop_machine() freezes the guest's CPUs,
     * not the host, so it never waits for the host, and the host waits only while the frozen machine's
     * function runs (mm:check sees each access whole). A guest task inside may wait for the host (tell_host()
     * from migration): were the host a guest task, the stop would wait for ever.
     */
    void hostEnter() {
        frozen.lock();
    }

    void hostExit() {
        frozen.unlock();
    }

    /** A stop waits for the tasks inside, or runs. */
    boolean stopPending() {
        return stopping;
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
            frozen.lock();
            try {
                return fn.get();
            } finally {
                frozen.unlock();
            }
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
