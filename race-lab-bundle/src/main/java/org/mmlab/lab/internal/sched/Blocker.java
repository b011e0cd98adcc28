package org.mmlab.lab.internal.sched;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.LockSupport;

/**
 * What a simulated thread that left the baton outside a point (BLOCKED) is doing, as far as the JVM
 * tells: the scheduler makes a decision only once none of them is {@link Kind#MOVING}, so which threads
 * wait at points when it decides does not depend on how fast a woken thread runs. That is what makes a
 * replay of a trace with lock blocks in it exact: a thread woken by a lock's release takes the lock and
 * reaches its next point before the releasing thread's next decision, in every run.
 */
final class Blocker {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    /** How far a chain of threads blocked on each other's locks is followed. */
    private static final int CHAIN = 8;

    /** Where a blocked simulated thread stands. */
    enum Kind {
        /**
         * Runs (it woke), or waits for a lock nobody holds (it is about to take it; a read-write lock: no writer and
         * no reader): its next point comes.
         */
        MOVING,
        /** Waits for a lock that a simulated thread stopped at a point holds: it cannot move before that one. */
        HELD,
        /**
         * Waits for a lock that a thread outside the run holds while it runs (Felix's event thread in Felix Log's
         * monitor, QEMU's thread in the ring's): it comes back once that thread lets go, whatever the run does.
         */
        OUTSIDE,
        /**
         * Sleeps, waits on a condition or a read-write lock, or for a lock of a thread outside the run that does not
         * run: it may come back at any time, or only once a thread the schedule holds moves.
         */
        OTHER
    }

    private Blocker() {
    }

    /** Whether th sleeps (Thread.sleep(): timed, and waiting for no lock or condition). */
    static boolean sleeping(Thread th) {
        ThreadInfo ti = MX.getThreadInfo(th.getId());
        return ti != null && ti.getThreadState() == Thread.State.TIMED_WAITING && ti.getLockInfo() == null;
    }

    /**
     * Whether the synchronizer th is parked on is held by nobody. AbstractQueuedSynchronizer.toString() says its
     * state ("[State = 0, ...": a read-write lock counts its readers and its writer there).
     */
    private static boolean free(Thread th) {
        return LockSupport.getBlocker(th) instanceof AbstractQueuedSynchronizer q
                && q.toString().contains("[State = 0,");
    }

    /** Whether th still waits for lock: a lock that was not free may have become th's own since the first look. */
    private static boolean stillWaits(Thread th, LockInfo lock, Eyes eyes) {
        Look now = eyes.look(th.getId());
        return now != null && now.state() == Thread.State.WAITING && now.lock() != null
                && now.lock().getIdentityHashCode() == lock.getIdentityHashCode();
    }

    /**
     * What the JVM says of a thread at one look: its state, the lock it waits for (or null), that lock's owner's
     * id (-1: none). ThreadMXBean.getThreadInfo() without a stack does not stop the thread: it reads the state,
     * then the lock, then the owner, while the thread runs on.
     */
    record Look(Thread.State state, LockInfo lock, long owner) {
        /** The same state, lock and owner: nothing moved between the two looks. */
        boolean same(Look o) {
            return o != null && state == o.state && owner == o.owner
                    && (lock == null ? o.lock == null : o.lock != null && lock.getIdentityHashCode() == o.lock
                            .getIdentityHashCode());
        }
    }

    /** How Blocker looks at a thread by its id: null if it ended. */
    @FunctionalInterface
    interface Eyes {
        Look look(long threadId);
    }

    /** The JVM's. */
    static final Eyes JVM = id -> {
        ThreadInfo ti = MX.getThreadInfo(id);
        return ti == null ? null : new Look(ti.getThreadState(), ti.getLockInfo(), ti.getLockOwnerId());
    };

    /**
     * What t (BLOCKED) is doing; parked is the thread deciding (stopped at a point, so it holds its locks), or
     * null; schedulerLock is the scheduler's own monitor.
     */
    static Kind of(SimThread t, List<SimThread> threads, SimThread parked, Object schedulerLock) {
        return of(t, threads, parked, System.identityHashCode(schedulerLock), CHAIN, JVM);
    }

    /** As {@link #of(SimThread, List, SimThread, Object)}, looking with eyes. */
    static Kind of(SimThread t, List<SimThread> threads, SimThread parked, Object schedulerLock, Eyes eyes) {
        return of(t, threads, parked, System.identityHashCode(schedulerLock), CHAIN, eyes);
    }

    /**
     * An OTHER from a look at a thread parked on no lock stands only if a second look says the same: a thread that a
     * lock's release woke between the first look's reading of its state (WAITING) and of its lock (gone: it runs)
     * looked like one parked on nothing, and the decision went on without it (race 8: compaction back from
     * balloon_pages_lock one decision late, about 1 run in 4,000). Else it moves. A look that names a lock is torn
     * only to a verdict that is right anyway: its owner read after the woken thread took it is that thread (MOVING),
     * after another took it, the lock's new holder; a read-write lock's OTHER is looked at again (stillWaits).
     */
    private static Kind of(SimThread t, List<SimThread> threads, SimThread parked, int schedulerLock, int depth,
            Eyes eyes) {
        Thread th = t.thread;
        Look first = th == null ? null : eyes.look(th.getId());
        Kind k = of(th, first, threads, parked, schedulerLock, depth, eyes);
        if (k == Kind.OTHER && first != null && first.lock() == null) { // with a lock, a torn look is no wrong verdict
            Look again = eyes.look(th.getId());
            if (again != null && !first.same(again)) {
                return Kind.MOVING;
            }
        }
        return k;
    }

    private static Kind of(Thread th, Look ti, List<SimThread> threads, SimThread parked, int schedulerLock, int depth,
            Eyes eyes) {
        if (ti == null) {
            return Kind.OTHER; // ended meanwhile: the scheduler sees it DONE next
        }
        Thread.State s = ti.state();
        if (s == Thread.State.RUNNABLE) {
            return Kind.MOVING;
        }
        LockInfo lock = ti.lock();
        if (lock != null && lock.getIdentityHashCode() == schedulerLock) {
            // at its point (or at its end) already, waiting to say so while another thread decides or the
            // watchdog looks: no kernel lock holds it, and the scheduler's is held only for a moment
            return Kind.MOVING;
        }
        boolean readWrite = lock != null
                && lock.getClassName().startsWith("java.util.concurrent.locks.ReentrantReadWriteLock$");
        boolean exclusive = s == Thread.State.BLOCKED // a monitor
                || lock != null && lock.getClassName().startsWith("java.util.concurrent.locks.ReentrantLock$");
        if (!exclusive && !readWrite) {
            return Kind.OTHER;
        }
        long owner = ti.owner();
        if (owner < 0) {
            // released: it takes the lock now; a read-write lock (an rw_semaphore) without a writer may have readers,
            // whom the JVM does not name: free only if it holds nobody
            return !readWrite || free(th) || !stillWaits(th, lock, eyes) ? Kind.MOVING : Kind.OTHER;
        }
        if (owner == th.getId()) {
            return Kind.MOVING; // it took the lock between the looks at its state and at the lock's owner
        }
        for (SimThread o : threads) {
            Thread ot = o.thread;
            if (ot != null && ot.getId() == owner) {
                if (o == parked || o.status == SimThread.Status.WAITING) {
                    return Kind.HELD;
                }
                if (o.status == SimThread.Status.BLOCKED && depth > 0) {
                    return of(o, threads, parked, schedulerLock, depth - 1, eyes);
                }
                return Kind.OTHER;
            }
        }
        return outside(owner, lock, threads, parked, depth, eyes); // a thread outside the run holds it
    }

    /**
     * What a wait for worker, a thread outside the run doing a work item, comes to, as a wait for a lock it holds:
     * HELD once it waits for a lock that a simulated thread stopped at a point (or parked) holds; else OUTSIDE (it
     * runs, or waits for a running outside thread), MOVING (it ended) or OTHER.
     */
    static Kind worker(Thread worker, List<SimThread> threads, SimThread parked) {
        return outside(worker.getId(), null, threads, parked, CHAIN, JVM);
    }

    /**
     * What a wait for a lock that owner, a thread outside the run, holds comes to: OUTSIDE while owner runs, or
     * waits in turn for a lock a running thread outside the run holds; what a simulated thread holding owner's
     * lock makes of it (HELD: stopped at a point); else OTHER (owner sleeps or waits on a condition). waitedFor is the
     * lock the waiter is blocked on (or null): an owner that waits on that very monitor let go of it in Object.wait()
     * after the JVM read it as the owner (Felix Log's listener thread, between taking its queue's monitor and waiting
     * on it while race 8's admin logged): the lock is free, and the waiter takes it (MOVING). Taken for OTHER, the admin
     * was passed over at its third decision, right after module.going.
     */
    private static Kind outside(long owner, LockInfo waitedFor, List<SimThread> threads, SimThread parked, int depth,
            Eyes eyes) {
        Look oi = eyes.look(owner);
        if (oi == null) {
            return Kind.MOVING; // it ended, and its monitors with it
        }
        Thread.State s = oi.state();
        if (s == Thread.State.RUNNABLE) {
            return Kind.OUTSIDE;
        }
        LockInfo lock = oi.lock();
        if (waitedFor != null && lock != null && s != Thread.State.BLOCKED
                && lock.getIdentityHashCode() == waitedFor.getIdentityHashCode()) {
            return Kind.MOVING; // it waits on the monitor, so it let go of it
        }
        long next = oi.owner();
        boolean exclusive = s == Thread.State.BLOCKED
                || lock != null && lock.getClassName().startsWith("java.util.concurrent.locks.ReentrantLock$");
        if (!exclusive || next < 0 || depth <= 0) {
            return Kind.OTHER;
        }
        for (SimThread o : threads) {
            Thread ot = o.thread;
            if (ot != null && ot.getId() == next) {
                return o == parked || o.status == SimThread.Status.WAITING ? Kind.HELD : Kind.OTHER;
            }
        }
        return outside(next, lock, threads, parked, depth - 1, eyes);
    }
}
