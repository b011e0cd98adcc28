package org.mmlab.mm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Models stop_machine() (kernel/stop_machine.c) with a percpu_rw_semaphore's shape: every task
 * running mm code is inside a cheap read section, a flag of its own that only it writes (as
 * preempt_disable() writes its CPU's count); stopMachine() waits until no task is inside, runs its
 * function on a frozen machine (mm:check), then lets everyone go on.
 */
final class StopMachine {
    /** A task's inside flag sits alone on its 128 bytes (slot[INSIDE]), its nesting depth beside it. */
    private static final int INSIDE = 8;
    private static final int DEPTH = 9;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    /** A task's part: written by the task only; its inside flag read by a stop. */
    static final class Task {
        final Thread owner = Thread.currentThread();
        final long[] slot = new long[16];
    }

    /** Every task that has entered, until it ends (guarded by this list's monitor). */
    private final List<Task> tasks = new ArrayList<>();
    private final ThreadLocal<Task> task = ThreadLocal.withInitial(this::register);
    private final ReentrantLock writer = new ReentrantLock();
    /** Held while the stopped machine's function runs: the host (not a guest task) waits only for that. */
    private final ReentrantLock frozen = new ReentrantLock();
    private volatile boolean stopping;

    /**
     * A task's first entry: it joins the list a stop reads, and the tasks that ended outside (isAlive()
     * false) leave it, so a lab that runs many threads keeps few. A stop that began before sees this task
     * see {@code stopping} (the list's monitor orders them); one that begins after reads its flag.
     */
    private Task register() {
        Task t = new Task();
        synchronized (tasks) {
            tasks.removeIf(o -> !o.owner.isAlive() && (long) SLOT.getVolatile(o.slot, INSIDE) == 0);
            tasks.add(t);
        }
        return t;
    }

    /**
     * The task enters mm code (nestable), as preempt_disable() on its CPU: the outermost entry publishes it
     * inside (a volatile store, then the read of {@code stopping}: the one fence a section needs); nested ones
     * only count. Returns the task, for {@link #exit(Task)}.
     */
    Task enter() {
        Task t = task.get();
        long[] s = t.slot;
        if (s[DEPTH]++ > 0) {
            return t;
        }
        while (true) {
            SLOT.setVolatile(s, INSIDE, 1L);
            if (!stopping) {
                return t;
            }
            SLOT.setRelease(s, INSIDE, 0L);
            writer.lock(); // wait for the stopped machine to restart
            writer.unlock();
        }
    }

    void exit() {
        exit(task.get());
    }

    /** The task leaves: the outermost exit is a release store (its stores are seen before it is seen outside). */
    void exit(Task t) {
        long[] s = t.slot;
        if (--s[DEPTH] > 0) {
            return;
        }
        SLOT.setRelease(s, INSIDE, 0L);
    }

    /**
     * schedule() from inside mm code: a task that sleeps (on a page lock) is not running on a CPU, so
     * stop_machine need not wait for it, and mm:check may see the state it sleeps in. Leaves the read
     * section whatever its nesting; returns the depth that {@link #wake(int)} restores.
     */
    int sleep() {
        long[] s = task.get().slot;
        int saved = (int) s[DEPTH];
        if (saved > 0) {
            s[DEPTH] = 0;
            SLOT.setRelease(s, INSIDE, 0L);
        }
        return saved;
    }

    /** Back from {@link #sleep()}: re-enters (waiting while the machine is stopped) at the saved depth. */
    void wake(int saved) {
        if (saved > 0) {
            enter().slot[DEPTH] = saved;
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
            long own = task.get().slot[DEPTH] > 0 ? 1 : 0;
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

    /** Tasks inside now. */
    private long total() {
        long n = 0;
        synchronized (tasks) {
            for (Task t : tasks) {
                n += (long) SLOT.getVolatile(t.slot, INSIDE);
            }
        }
        return n;
    }

    /** Tasks a stop reads now (the live ones, and ended ones not yet forgotten): for tests. */
    int tasksListed() {
        synchronized (tasks) {
            return tasks.size();
        }
    }
}
