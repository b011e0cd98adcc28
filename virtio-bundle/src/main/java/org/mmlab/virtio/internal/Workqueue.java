package org.mmlab.virtio.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Models a single-threaded workqueue (kernel/workqueue.c) with work items that are queued at most
 * once: queue_work() on a pending item does nothing; cancel_work_sync() removes a pending item and
 * waits for a running one. system_freezable_wq and "balloon-wq" are each one of these per device.
 */
final class Workqueue {
    /** A work_struct: its function and its pending bit. */
    final class Work {
        private final String name;
        private final Runnable func;
        private Future<?> pending;
        private Future<?> running;

        Work(String name, Runnable func) {
            this.name = name;
            this.func = func;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final ExecutorService thread;

    Workqueue(String name) {
        thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    Work work(String name, Runnable func) {
        return new Work(name, func);
    }

    /** queue_work(): false if the work was already pending. */
    boolean queueWork(Work w) {
        synchronized (w) {
            if (w.pending != null) {
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
                try {
                    w.func.run();
                } finally {
                    synchronized (w) {
                        if (w.running == self[0]) {
                            w.running = null;
                        }
                        w.notifyAll();
                    }
                }
            });
            w.pending = self[0];
            return true;
        }
    }

    /** work_pending() || work_busy(): queued or running. */
    boolean busy(Work w) {
        synchronized (w) {
            return w.pending != null || w.running != null;
        }
    }

    /** cancel_work_sync(): no longer pending, and not running on return. Returns true if it was pending. */
    boolean cancelWorkSync(Work w) {
        synchronized (w) {
            boolean wasPending = w.pending != null;
            w.pending = null;
            while (w.running != null) {
                try {
                    w.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return wasPending;
        }
    }

    /** destroy_workqueue(): waits (bounded) for what runs, then ends the thread. */
    void destroy() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
