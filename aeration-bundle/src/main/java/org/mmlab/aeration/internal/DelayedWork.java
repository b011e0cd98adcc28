package org.mmlab.aeration.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Models a struct delayed_work on system_wq (kernel/workqueue.c, include/linux/workqueue.h):
 * schedule_delayed_work() arms a timer unless the work is pending already; the work function never
 * runs twice at once; cancel_delayed_work_sync() returns with the work neither pending nor running, and
 * while it waits the work cannot be queued again. With autoRun off the timer is never armed: pending
 * work waits for {@link #runIfPending} (aerate:kick, the race lab), so that a run's schedule is its
 * caller's.
 */
final class DelayedWork {
    private final Runnable fn;
    private final ScheduledExecutorService timer;
    /** Held while the work function runs: the workqueue's "a work item never runs concurrently with itself". */
    private final ReentrantLock running = new ReentrantLock();
    private volatile boolean autoRun;
    // guarded by this
    private boolean pending;
    private boolean canceling;
    private long delayMs;
    private ScheduledFuture<?> armed;

    DelayedWork(String name, Runnable fn, boolean autoRun) {
        this.fn = fn;
        this.autoRun = autoRun;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kworker/" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** schedule_delayed_work(): false if the work was pending already (or is being cancelled). */
    synchronized boolean schedule(long delay) {
        if (pending || canceling) {
            return false;
        }
        pending = true;
        delayMs = delay;
        if (autoRun) {
            armed = timer.schedule(this::runIfPending, delay, TimeUnit.MILLISECONDS);
        }
        return true;
    }

    /** The timer fired, or the lab runs it now: the work function on this thread, if the work is pending. */
    boolean runIfPending() {
        running.lock();
        try {
            synchronized (this) {
                if (!pending) {
                    return false;
                }
                pending = false;
                disarm();
            }
            fn.run();
            return true;
        } finally {
            running.unlock();
        }
    }

    /** cancel_delayed_work_sync(): not pending, not running, when it returns. */
    void cancelSync() {
        synchronized (this) {
            canceling = true;
            pending = false;
            disarm();
        }
        running.lock(); // waits for the work function in progress
        running.unlock();
        synchronized (this) {
            canceling = false;
        }
    }

    synchronized boolean pending() {
        return pending;
    }

    boolean runningNow() {
        return running.isLocked();
    }

    /** The lab's autoRun: off leaves pending work for runIfPending(); on arms it again. */
    synchronized void setAutoRun(boolean on) {
        autoRun = on;
        if (on && pending && armed == null) {
            armed = timer.schedule(this::runIfPending, delayMs, TimeUnit.MILLISECONDS);
        } else if (!on) {
            disarm();
        }
    }

    /**
     * The timer fires now for pending work whatever autoRun says: for a caller that waits for the work to
     * run (aerator_shutdown()'s refcnt loop), as the kernel's timer would have run it.
     */
    synchronized void fireNow() {
        if (pending && armed == null) {
            armed = timer.schedule(this::runIfPending, 0, TimeUnit.MILLISECONDS);
        }
    }

    /** The work is gone (its design stopped): cancelled, and its timer thread ends. */
    void destroy() {
        cancelSync();
        timer.shutdownNow();
    }

    private void disarm() {
        if (armed != null) {
            armed.cancel(false);
            armed = null;
        }
    }
}
