package org.mmlab.lab.internal.sched;

import org.mmlab.mm.lab.InjectionPoints;

/**
 * One simulated kernel thread under the controlled scheduler (compaction, the balloon worker, the
 * host, the bundle-lifecycle admin thread, a workload task): a platform thread that runs only while
 * it holds the baton, and gives it up at injection points.
 */
final class SimThread {
    /** Where the thread is, as the scheduler sees it. */
    enum Status {
        /** Not started yet: it waits for the baton before its first instruction. */
        NEW,
        /** Stopped at a point, ready to go on when chosen. */
        WAITING,
        /** Holds the baton. */
        RUNNING,
        /** Blocked outside any point (on a lock, a sleep): it rejoins at its next point. */
        BLOCKED,
        DONE
    }

    final int id;
    final String name;
    final Runnable body;
    /** The platform thread acting as this one now: its own, or the outside thread it took (OnBehalf). */
    volatile Thread thread;
    /** Its own platform thread. */
    Thread own;
    /** Work done on its behalf by an outside thread, or null. */
    final OnBehalf onBehalf;
    /** The outside thread taken for it, once one was. */
    volatile Thread adopted;
    /** Set by whoever hands this thread the baton. */
    volatile boolean baton;
    /** True while it waits for the baton (so the watchdog does not take its parking for a block). */
    volatile boolean awaiting;
    /** True while it waits, baton in hand, for work outside the run (ControlledScheduler.awaitOutside). */
    volatile boolean outside;
    /**
     * While outside: the thread outside the run whose work it waits for (awaitWorker: cancel_work_sync() waiting for
     * a running work on the workqueue's worker), or null (the wait names none).
     */
    volatile Thread outsideOn;
    /** The point it stopped at (WAITING), or the first point name "start" (NEW). */
    volatile String at = InjectionPoints.START;
    volatile Status status = Status.NEW;
    /**
     * Asleep (msleep()) until the run's decision count reaches this: while another thread waits it is not
     * chosen before then; 0 once chosen. Guarded by the scheduler's lock.
     */
    long wakeAt;
    /** How many times it passed each point (a count in an array of one), for "T@P#n"; guarded by the scheduler's lock. */
    private final java.util.Map<String, int[]> passed = new java.util.HashMap<>();
    volatile Throwable failure;

    SimThread(int id, String name, Runnable body) {
        this.id = id;
        this.name = name;
        this.body = body;
        this.onBehalf = body instanceof OnBehalf ob ? ob : null;
    }

    /** The event this thread will cause when it passes its current point: NAME@POINT#n. */
    String pendingEvent() {
        int[] n = passed.get(at);
        return Trace.event(name, at, n == null ? 1 : n[0] + 1);
    }

    /** It passes point once more: how many times it has now (from 1). Under the scheduler's lock. */
    int pass(String point) {
        int[] n = passed.computeIfAbsent(point, p -> new int[1]);
        return ++n[0];
    }

    @Override
    public String toString() {
        return name + "(" + status + (status == Status.WAITING ? " at " + at : "") + ")";
    }
}
