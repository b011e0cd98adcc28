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
    private static boolean stillWaits(Thread th, LockInfo lock) {
        ThreadInfo now = MX.getThreadInfo(th.getId());
        return now != null && now.getThreadState() == Thread.State.WAITING && now.getLockInfo() != null
                && now.getLockInfo().getIdentityHashCode() == lock.getIdentityHashCode();
    }

    /**
     * What t (BLOCKED) is doing; parked is the thread deciding (stopped at a point, so it holds its locks), or
     * null; schedulerLock is the scheduler's own monitor.
     */
    static Kind of(SimThread t, List<SimThread> threads, SimThread parked, Object schedulerLock) {
        return of(t, threads, parked, System.identityHashCode(schedulerLock), CHAIN);
    }

    private static Kind of(SimThread t, List<SimThread> threads, SimThread parked, int schedulerLock, int depth) {
        Thread th = t.thread;
        ThreadInfo ti = th == null ? null : MX.getThreadInfo(th.getId());
        if (ti == null) {
            return Kind.OTHER; // ended meanwhile: the scheduler sees it DONE next
        }
        Thread.State s = ti.getThreadState();
        if (s == Thread.State.RUNNABLE) {
            return Kind.MOVING;
        }
        LockInfo lock = ti.getLockInfo();
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
        long owner = ti.getLockOwnerId();
        if (owner < 0) {
            // released: it takes the lock now; a read-write lock (an rw_semaphore) without a writer may have readers,
            // whom the JVM does not name: free only if it holds nobody
            return !readWrite || free(th) || !stillWaits(th, lock) ? Kind.MOVING : Kind.OTHER;
        }
        for (SimThread o : threads) {
            Thread ot = o.thread;
            if (ot != null && ot.getId() == owner) {
                if (o == parked || o.status == SimThread.Status.WAITING) {
                    return Kind.HELD;
                }
                if (o.status == SimThread.Status.BLOCKED && depth > 0) {
                    return of(o, threads, parked, schedulerLock, depth - 1);
                }
                return Kind.OTHER;
            }
        }
        return outside(owner, threads, parked, depth); // a thread outside the run holds it
    }

    /**
     * What a wait for a lock that owner, a thread outside the run, holds comes to: OUTSIDE while owner runs, or
     * waits in turn for a lock a running thread outside the run holds; what a simulated thread holding owner's
     * lock makes of it (HELD: stopped at a point); else OTHER (owner sleeps or waits on a condition).
     */
    private static Kind outside(long owner, List<SimThread> threads, SimThread parked, int depth) {
        ThreadInfo oi = MX.getThreadInfo(owner);
        if (oi == null) {
            return Kind.MOVING; // it ended, and its monitors with it
        }
        Thread.State s = oi.getThreadState();
        if (s == Thread.State.RUNNABLE) {
            return Kind.OUTSIDE;
        }
        LockInfo lock = oi.getLockInfo();
        long next = oi.getLockOwnerId();
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
        return outside(next, threads, parked, depth - 1);
    }
}
