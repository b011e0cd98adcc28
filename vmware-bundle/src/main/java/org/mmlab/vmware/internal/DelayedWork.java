package org.mmlab.vmware.internal;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;
import org.mmlab.mm.lab.ModuleCaller;

/**
 * Models one struct delayed_work on system_freezable_wq (kernel/workqueue.c): a work item with a timer,
 * run by one thread of its own here. Rules, as kernel/workqueue.c has them since v2.6.22:
 * <ol type="i">
 * <li>queue_delayed_work() does nothing while the work is pending; mod_delayed_work() moves a pending
 *     work's timer (or queues it), and a work that is running runs again after it returns.</li>
 * <li>A work item never runs on two CPUs at once.</li>
 * <li>While cancel_delayed_work_sync() runs, the work cannot be queued (the canceller owns its PENDING
 *     bit), so a work that queues itself, as vmballoon_work() does, is neither pending nor running when
 *     the cancel returns.</li>
 * </ol>
 * Each run is process_one_work() calling the module's function, through the lab's use-after-unload check
 * ("work->func"): a work item that outlives its module is reported.
 */
final class DelayedWork {
    private final ScheduledThreadPoolExecutor thread;
    private final Runnable func;
    private final ModuleCaller calls;
    /** The timer of the pending run (its generation), or 0 when not pending; guarded by this. */
    private long pending;
    private long generation;
    /** When the pending run is due (System.nanoTime()). */
    private long pendingDue;
    private boolean running;
    private boolean canceling;

    DelayedWork(String name, Runnable func, ModuleCaller calls) {
        this.func = func;
        this.calls = calls;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** queue_delayed_work(): false if the work is already pending, or being cancelled (rules i, iii). */
    synchronized boolean queueDelayedWork(long delayMs) {
        if (pending != 0 || canceling) {
            return false;
        }
        schedule(delayMs);
        return true;
    }

    /** mod_delayed_work(): the pending timer moved to delayMs from now, or the work queued (rule i). */
    synchronized boolean modDelayedWork(long delayMs) {
        if (canceling) {
            return false;
        }
        boolean wasPending = pending != 0;
        schedule(delayMs);
        return wasPending;
    }

    private void schedule(long delayMs) {
        long gen = ++generation;
        pending = gen;
        pendingDue = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
        thread.schedule(() -> run(gen), delayMs, TimeUnit.MILLISECONDS);
    }

    /** One run, unless the timer was moved or cancelled since it was set. */
    private void run(long gen) {
        synchronized (this) {
            if (pending != gen) {
                return;
            }
            pending = 0;
            running = true;
        }
        try (ModuleCall c = calls.callIntoModule(func, InjectionPoints.CALL_WORK_FUNC, -1)) {
            func.run();
        } finally {
            synchronized (this) {
                running = false;
                notifyAll();
            }
        }
    }

    /** cancel_delayed_work_sync(): not pending, and not running on return (rule iii); uninterruptible. */
    synchronized boolean cancelDelayedWorkSync() {
        boolean wasPending = pending != 0;
        pending = 0;
        canceling = true;
        boolean interrupted = false;
        while (running) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        canceling = false;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return wasPending;
    }

    /** Running, or pending and due: what a caller waiting for the work to settle asks. */
    synchronized boolean busy() {
        return running || pending != 0 && System.nanoTime() - pendingDue >= 0;
    }

    /** The device goes: its work thread ends (after cancelDelayedWorkSync(), nothing is left to run). */
    void destroy() {
        thread.shutdownNow();
    }
}
