package org.mmlab.virtio.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;
import org.mmlab.mm.lab.ModuleCaller;

/**
 * Models a single-threaded workqueue (kernel/workqueue.c) with work items that are queued at most
 * once: queue_work() on a pending item does nothing; cancel_work_sync() removes a pending item and
 * waits for a running one. system_freezable_wq and "balloon-wq" are each one of these per device.
 *
 * <p>Rules, as kernel/workqueue.c has them since v2.6.22 ("This function can be used even if the work
 * re-queues itself"):
 * <ol type="i">
 * <li>While cancel_work_sync() runs, queue_work() of that work fails: the canceller owns the work's
 *     PENDING bit (try_to_grab_pending(), v2.6.22 to v6.9) or has disabled it (v6.10 on). So a work that
 *     requeues itself, as update_balloon_size_func() does, is not pending when the cancel returns.</li>
 * <li>destroy_workqueue() drains: it waits for what is queued and running, and interrupts nothing.</li>
 * </ol>
 * process_one_work() is the kernel's code calling the driver's: each run goes through the lab's
 * use-after-unload check ("work->func"), so a work item that outlives its module is reported.
 */
final class Workqueue {
    /** A work_struct: its function and its pending bit. */
    final class Work {
        private final String name;
        private final Runnable func;
        private Future<?> pending;
        private Future<?> running;
        /** cancel_work_sync() is in progress: queue_work() fails (rule i). */
        private boolean canceling;

        Work(String name, Runnable func) {
            this.name = name;
            this.func = func;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** How long destroy() waits for the works to end. */
    private static final long DRAIN_TIMEOUT_S = 30;

    private final ExecutorService thread;
    /** The queue's worker thread, once it started (the work a cancel waits for runs on it). */
    private volatile Thread worker;
    private final ModuleCaller calls;
    /** How a cancel waits for the worker: through the lab (MmLab.awaitWorker), or by itself. */
    private final WorkerWait waits;

    /** A wait for a work item the worker runs: returns once wait did. */
    @FunctionalInterface
    interface WorkerWait {
        boolean await(Thread worker, Supplier<Boolean> wait);
    }
    /** Not in the kernel: told after each work item ends, on the workqueue's thread (a target's watch samples then). */
    private volatile Runnable afterEachWork = () -> {
    };

    Workqueue(String name, ModuleCaller calls) {
        this(name, calls, (worker, wait) -> wait.get());
    }

    /** A queue whose cancels wait for the worker through waits (the lab's awaitWorker: a controlled run sees it). */
    Workqueue(String name, ModuleCaller calls, WorkerWait waits) {
        this.calls = calls;
        this.waits = waits;
        thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            worker = t;
            return t;
        });
    }

    Work work(String name, Runnable func) {
        return new Work(name, func);
    }

    /** queue_work(): false if the work was already pending, or is being cancelled (rule i). */
    boolean queueWork(Work w) {
        synchronized (w) {
            if (w.pending != null || w.canceling) {
                return false;
            }
            Future<?>[] self = new Future<?>[1];
            self[0] = thread.submit(() -> {
                synchronized (w) {
                    if (w.pending != self[0]) {
                        return; // cancelled
                    }
                    w.pending = null;
                    w.running = self[0];
                }
                try (ModuleCall c = calls.callIntoModule(w.func, InjectionPoints.CALL_WORK_FUNC, -1)) {
                    w.func.run();
                } finally {
                    synchronized (w) {
                        if (w.running == self[0]) {
                            w.running = null;
                        }
                        w.notifyAll();
                    }
                    afterEachWork.run();
                }
            });
            w.pending = self[0];
            return true;
        }
    }

    /** What to tell after each work item ends, once it is no longer busy (run on this queue's thread: quick). */
    void afterEachWork(Runnable r) {
        afterEachWork = r;
    }

    /** work_pending() || work_busy(): queued or running. */
    boolean busy(Work w) {
        synchronized (w) {
            return w.pending != null || w.running != null;
        }
    }

    /**
     * cancel_work_sync(): no longer pending, and not running on return, even if it requeues itself (rule i).
     * Uninterruptible, as the kernel's flush is. Returns true if it was pending.
     */
    boolean cancelWorkSync(Work w) {
        boolean wasPending;
        boolean running;
        synchronized (w) {
            wasPending = w.pending != null;
            w.pending = null;
            w.canceling = true;
            running = w.running != null;
        }
        if (running) {
            // the wait for the running work goes through the lab: a controlled run's thread keeps the baton while the
            // work can end, and gives it up once the work waits for a lock a stopped thread holds (its balloon_lock)
            waits.await(worker, () -> awaitNotRunning(w));
        }
        synchronized (w) {
            w.canceling = false;
        }
        return wasPending;
    }

    /** Waits, uninterruptibly, until w does not run (the worker ends it and notifies); true. */
    private static boolean awaitNotRunning(Work w) {
        boolean interrupted = false;
        synchronized (w) {
            while (w.running != null) {
                try {
                    w.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /**
     * destroy_workqueue(): drains what is queued and running (rule ii), without interrupting it; the lab
     * bounds the wait (a work's waits for the host are bounded by ackTimeoutMs) and leaves a work that is
     * still running to its daemon thread.
     */
    void destroy() {
        thread.shutdown();
        try {
            thread.awaitTermination(DRAIN_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
