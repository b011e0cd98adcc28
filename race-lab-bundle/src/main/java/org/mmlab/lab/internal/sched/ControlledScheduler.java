package org.mmlab.lab.internal.sched;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs simulated threads one at a time; a thread gives up the baton only at injection points
 * ({@link #at}), where the strategy chooses who goes on. The chosen thread is handed the baton
 * directly (spin briefly, then park), so a decision that keeps the current thread costs no switch.
 *
 * <p>A thread that blocks outside a point (on a lock another simulated thread holds, in a sleep) would
 * stall the run: a watchdog sees it parked or blocked without the baton in hand, marks it BLOCKED and
 * lets the strategy choose among the others; it rejoins when it reaches its next point, where it is WAITING
 * from the moment it enters the scheduler. Before each decision the scheduler waits until no blocked thread
 * is on its way to a point ({@link Blocker}; one entering the scheduler's own monitor is): one that a lock's
 * release woke takes the lock and stops at its next point first, so the threads a decision chooses among do
 * not depend on how fast the woken one ran, and a replay is exact across lock blocks.
 *
 * <p>A thread that sleeps ({@link #sleep}: the kernel's msleep()) stops at a point instead, and the others go on
 * without it for as many decisions as its sleep is worth, or until none of them may: what they do meanwhile
 * is decided by the strategy, not by how long the sleep took on this machine.
 *
 * <p>A thread that waits for work outside the run ({@link #awaitOutside}: the host's acknowledgement, a
 * probe on Configuration Admin's thread, a driver's worker reaching a target) keeps the baton while it
 * waits: nothing else in the run moves meanwhile, and how long the work takes decides nothing.
 *
 * <p>A thread whose body is an {@link OnBehalf} hands its work to a thread outside the run: the first
 * such thread to reach one of its points is taken for it until it passed the last one.
 */
public final class ControlledScheduler {
    /**
     * Spins before parking when waiting for the baton: a hand-off between running threads stays cheap. 512 (10-20 µs
     * on the lab's machine): 4,096 spun 80-130 µs each time a thread gave the baton away, 6-9 % of race 8's CPU on
     * two cores, and under load slowed the threads it waited for (docs/benchmarks.md, branch r8cut).
     */
    private static final int SPINS = 1 << 9;
    /** Looks at the blocked threads (each a ThreadMXBean query) before parking while waiting for one to settle. */
    private static final int SETTLE_SPINS = 16;
    /** How long the baton holder may be blocked before the watchdog moves on (ns). */
    private static final long BLOCKED_NS = 200_000;
    /**
     * How long a thread blocked on a lock that a running thread outside the run holds ({@link Blocker.Kind#OUTSIDE})
     * is waited for, as the baton's holder or on its way to a point, before the run goes on without it (ns): a bound
     * for an outside thread that would wait, running, for the run.
     */
    static final long OUTSIDE_NS = 1_000_000_000L;
    /**
     * Decisions after which a run is stuck however young it is: a thread that spins through points while the
     * one it waits for is never chosen makes a million a second, each a step of the trace (race 8's longest
     * real runs take 80,000; a livelocked one filled a 2 GiB heap before its 30 s were up).
     */
    static final long MAX_DECISIONS = 1_000_000;
    /**
     * The lab's clock for a sleep: a millisecond of msleep() is at most this many of the others' decisions (they
     * make a few thousand in a real millisecond, each a point of kernel code).
     */
    static final long DECISIONS_A_MS = 1_000;
    /** How long an abandoned run's threads, let go, may take to end before the run returns (ms). */
    private static final long RELEASED_JOIN_MS = 10_000;

    /** How a run ended. */
    public record Result(boolean completed, String windowClosed, Trace trace, long decisions, long switches,
            List<String> failures, String stuck) {
        public boolean failed() {
            return !failures.isEmpty() || stuck != null;
        }
    }

    private final Strategy strategy;
    private final List<SimThread> threads = new ArrayList<>();
    private final ThreadLocal<SimThread> current = new ThreadLocal<>();
    /** The scheduler whose simulated thread the calling thread is (its own platform thread), for awaitOutside. */
    private static final ThreadLocal<ControlledScheduler> RUNNING_ON = new ThreadLocal<>();
    private final Object lock = new Object();
    private final Trace trace = new Trace();
    /** choose()'s lists of the threads at points, and of those awake among them (guarded by lock; no strategy keeps them). */
    private final List<SimThread> waiting = new ArrayList<>();
    private final List<SimThread> awake = new ArrayList<>();
    private volatile SimThread running;
    /** The thread choose() chose last (the baton's holder, unless it blocked or ended since). */
    private SimThread lastChosen;
    private String windowClosed;
    private long decisions;
    private long switches;
    private volatile long blockedSince;
    /** When the run is declared stuck (System.nanoTime()): nothing waits beyond it. */
    private volatile long deadline = Long.MAX_VALUE;
    /** The run is over: outside threads taken for simulated ones pass points freely. */
    private volatile boolean finished;
    /** Since when no thread may go on while some are blocked (0: not stalled); guarded by lock. */
    private long stalledSince;

    /** Where each hand-off of the watchdog and each blocked thread's return is told (lab:handoffs), or null. */
    private volatile Consumer<String> handoffs;

    public ControlledScheduler(Strategy strategy) {
        this.strategy = strategy;
    }

    /**
     * Tells out, in a line each, every hand-off of the watchdog (the decision it came before, the blocked thread, its
     * last point, how long it was seen blocked, what {@link Blocker} says, and what the JVM says of it: state, lock,
     * the lock's owner with its stack, its own stack) and every blocked thread's return: what a user comparing two
     * runs of one seed looks for first. Before {@link #run}.
     */
    public void debugHandoffs(Consumer<String> out) {
        handoffs = out;
    }

    /** What the JVM says of th (a blocked thread, or the worker it waits for): state, lock, the lock's owner, stacks. */
    static String where(Thread th) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ThreadInfo ti = mx.getThreadInfo(th.getId(), 40); // no locked monitors: those walk the heap
        if (ti == null) {
            return "ended";
        }
        StringBuilder sb = new StringBuilder().append(ti.getThreadState()).append(" on ").append(ti.getLockInfo());
        if (ti.getLockOwnerId() >= 0) {
            ThreadInfo oi = mx.getThreadInfo(ti.getLockOwnerId(), 16);
            sb.append(" held by ").append(ti.getLockOwnerName());
            if (oi != null) {
                sb.append(" (").append(oi.getThreadState()).append(", on ").append(oi.getLockInfo()).append(", at");
                frames(sb, oi.getStackTrace());
                sb.append(')');
            }
        }
        frames(sb.append(", at"), ti.getStackTrace());
        return sb.toString();
    }

    private static void frames(StringBuilder sb, StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            sb.append(' ').append(e.getClassName().replaceFirst(".*\\.", "")).append('.').append(e.getMethodName())
                    .append(':').append(e.getLineNumber());
        }
    }

    /** Adds a simulated thread (before {@link #run}); names must be unique. */
    public void thread(String name, Runnable body) {
        for (SimThread t : threads) {
            if (t.name.equals(name)) {
                throw new IllegalArgumentException("two simulated threads named " + name);
            }
        }
        threads.add(new SimThread(threads.size(), name, body));
    }

    /**
     * An injection point: a controlled thread stops here until the strategy lets it go on; any other
     * thread passes straight through.
     */
    public void at(String point) {
        SimThread me = current.get();
        if (me == null) {
            me = adopt(point);
            if (me == null) {
                return;
            }
        } else if (finished) {
            current.remove();
            return;
        }
        stop(me, point);
        if (me.adopted == Thread.currentThread() && point.equals(me.onBehalf.last)) {
            me.thread = me.own; // it leaves the schedule: its simulated thread's body sees the work done
            current.remove();
            me.onBehalf.release();
        }
    }

    /**
     * A sleep of ms milliseconds (msleep()) at point: a controlled thread stops there, asleep, and returns true
     * once chosen; until then the strategy chooses among the others (it is not chosen while one of them may go
     * on, for at most ms * {@link #DECISIONS_A_MS} decisions). Any other thread, or any once the run is over,
     * gets false: it sleeps itself.
     */
    public boolean sleep(String point, long ms) {
        SimThread me = current.get();
        if (me == null || finished) {
            return false;
        }
        synchronized (lock) {
            me.wakeAt = decisions + ms * DECISIONS_A_MS;
        }
        at(point);
        return true;
    }

    /**
     * The calling thread let go of a lock with no point before its next step (InjectionPoints.released: up_read() or
     * up_write() of an rw_semaphore): if it holds the baton and a thread is blocked, it waits until none is on its way
     * (the one the release woke has reached its next point, or blocks again, on a lock this thread holds or
     * otherwise), as before a decision. Without it, the woken thread ran beside the baton's holder until the holder's
     * next point, and what either found of the other's work (a trylock of a lock the woken one was about to take, a
     * notifier it was about to remove) was the machine's choice. Any other thread passes straight through.
     */
    public void released() {
        SimThread me = current.get();
        if (me == null || finished || running != me || !anyBlocked()) {
            return;
        }
        me.awaiting = true; // the watchdog must not take settle()'s parking for a block of the holder
        try {
            settle(me);
        } finally {
            me.awaiting = false;
        }
    }

    private boolean anyBlocked() {
        for (SimThread t : threads) {
            if (t.status == SimThread.Status.BLOCKED) {
                return true;
            }
        }
        return false;
    }

    /**
     * An outside thread at a point an OnBehalf thread waits for: taken for it (once), or null. It counts
     * only while the simulated thread has started and is not done.
     */
    private SimThread adopt(String point) {
        if (finished) {
            return null;
        }
        synchronized (lock) {
            for (SimThread t : threads) {
                OnBehalf ob = t.onBehalf;
                if (ob != null && t.adopted == null && ob.points.contains(point) && t.status != SimThread.Status.NEW
                        && t.status != SimThread.Status.DONE) {
                    t.adopted = Thread.currentThread();
                    t.thread = t.adopted;
                    current.set(t);
                    return t;
                }
            }
        }
        return null;
    }

    /** The calling thread stops at point until the strategy lets it go on. */
    private void stop(SimThread me, String point) {
        // from here until it goes on, the watchdog must not take the scheduler's own parking for a block: it
        // looks at the holder's state before it locks, and would otherwise mark it blocked once settle() ended
        me.awaiting = true;
        if (running != me && arrive(me, point)) {
            awaitTurn(me);
            return;
        }
        if (running == me || running == null) {
            settle(me);
        }
        SimThread next;
        synchronized (lock) {
            me.at = point;
            boolean holder = running == me;
            Consumer<String> out = handoffs;
            if (out != null && me.status == SimThread.Status.BLOCKED) { // marked blocked after it came to its point
                out.accept("decision " + decisions + ": " + me.name + " back at " + point);
            }
            me.status = SimThread.Status.WAITING;
            if (!holder && running != null) {
                next = null; // marked blocked meanwhile, and another thread runs: wait to be chosen
            } else {
                next = choose(me);
            }
        }
        if (next == me) {
            me.awaiting = false;
            return;
        }
        if (next != null) {
            handOff(next);
        }
        awaitBaton(me);
    }

    /**
     * A thread back from a block (BLOCKED, or marked so while it came) is at its point from now on: WAITING, in
     * the same step as it says so, so that a decision another thread makes meanwhile chooses among it too.
     * Returns false if it still holds the baton after all.
     */
    private boolean arrive(SimThread me, String point) {
        synchronized (lock) {
            if (running == me) {
                return false;
            }
            Consumer<String> out = handoffs;
            if (out != null && me.status == SimThread.Status.BLOCKED) {
                out.accept("decision " + decisions + ": " + me.name + " back at " + point);
            }
            me.at = point;
            me.status = SimThread.Status.WAITING;
            return true;
        }
    }

    /**
     * An arrived thread (WAITING) waits to be chosen; if nobody holds the baton it decides, once the blocked
     * threads have settled, unless another thread chose meanwhile (perhaps this one).
     */
    private void awaitTurn(SimThread me) {
        SimThread next = null;
        if (running == null) {
            settle(me);
            synchronized (lock) {
                next = running == null ? choose(me) : null;
            }
        }
        if (next != null && next != me) {
            handOff(next);
        }
        if (next != me) {
            awaitBaton(me);
        }
        me.awaiting = false;
    }

    /** Runs every thread to the end (or until timeoutMs), one at a time. */
    public Result run(long timeoutMs) throws InterruptedException {
        strategy.start(List.copyOf(threads));
        for (SimThread t : threads) {
            t.own = new Thread(() -> body(t), "sim-" + t.name);
            t.own.setDaemon(true);
            t.thread = t.own;
            t.status = SimThread.Status.WAITING;
        }
        for (SimThread t : threads) {
            t.own.start();
        }
        SimThread first;
        synchronized (lock) {
            first = choose(null);
        }
        if (first != null) {
            handOff(first);
        }
        deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        String stuck = null;
        while (!allDone()) {
            if (System.nanoTime() > deadline) {
                stuck = "the run did not finish in " + timeoutMs + " ms: " + threads + whereBlocked();
                break;
            }
            synchronized (lock) {
                if (decisions > MAX_DECISIONS) {
                    stuck = "the run made " + MAX_DECISIONS + " decisions without ending: " + threads + whereBlocked();
                    break;
                }
            }
            watchdog();
            LockSupport.parkNanos(50_000);
        }
        finished = true;
        for (SimThread t : threads) {
            if (t.adopted != null && t.thread == t.adopted) {
                handOff(t); // an outside thread still held at a point (its OnBehalf gave up) must not stay parked
            }
        }
        if (stuck != null) {
            stuck += release();
        }
        List<String> failures = new ArrayList<>();
        for (SimThread t : threads) {
            if (t.failure != null) {
                failures.add(t.name + ": " + t.failure);
            }
        }
        synchronized (lock) {
            return new Result(stuck == null, windowClosed, trace, decisions, switches, failures, stuck);
        }
    }

    /**
     * A stuck run is abandoned: every thread still held at a point goes on freely (at() lets it pass), as a
     * kernel's tasks would; one that never ran does not start. Without this, a thread parked at a point for
     * good keeps what it holds (isolated pages, a module's remove spinning for them, Felix's bundle lock)
     * and the lab's next run waits for ever. Waits a while for them to end; says which did not.
     */
    private String release() throws InterruptedException {
        for (SimThread t : threads) {
            if (t.status != SimThread.Status.DONE) {
                handOff(t);
            }
        }
        List<String> running = new ArrayList<>();
        long until = System.currentTimeMillis() + RELEASED_JOIN_MS;
        for (SimThread t : threads) { // its own threads: an outside one taken for it (OnBehalf) goes on with its work
            if (t.own != null) {
                t.own.join(Math.max(1, until - System.currentTimeMillis()));
                if (t.own.isAlive()) {
                    running.add(t.name);
                }
            }
        }
        return running.isEmpty() ? "" : "; still running " + RELEASED_JOIN_MS / 1000 + " s after the run was"
                + " abandoned and its threads let go: " + String.join(", ", running);
    }

    private void body(SimThread me) {
        current.set(me);
        RUNNING_ON.set(this);
        awaitBaton(me);
        if (finished) { // let go by release(): the run was abandoned before this thread ever ran
            synchronized (lock) {
                me.status = SimThread.Status.DONE;
            }
            RUNNING_ON.remove();
            current.remove();
            return;
        }
        try {
            me.body.run();
        } catch (Throwable e) {
            me.failure = e;
        } finally {
            RUNNING_ON.remove();
            SimThread next;
            synchronized (lock) {
                me.status = SimThread.Status.DONE;
            }
            if (finished) {
                current.remove();
                return; // nothing is chosen any more
            }
            if (running == me || running == null) {
                settle(null);
            }
            synchronized (lock) {
                next = running == me || running == null ? choose(null) : null;
            }
            if (next != null) {
                handOff(next);
            }
            current.remove();
        }
    }

    /**
     * The calling simulated thread waits for work outside the run (the promise of a probe that Configuration
     * Admin's thread runs, of a target a driver's worker reaches): it keeps the baton until wait returns, so
     * no other simulated thread moves meanwhile and no decision depends on how long the work takes. The work
     * has its own bound (a promise's timeout): a wait that never ends is the run's failure, not a closed
     * window. Any other thread just waits.
     */
    public static <T, E extends Exception> T awaitOutside(Outside<T, E> wait) throws E {
        ControlledScheduler s = RUNNING_ON.get();
        SimThread me = s == null ? null : s.current.get();
        if (me == null) {
            return wait.call();
        }
        me.outside = true;
        try {
            return wait.call();
        } finally {
            me.outside = false;
        }
    }

    /**
     * The calling simulated thread waits for a work item that worker, a thread outside the run, is running
     * (cancel_work_sync() waiting for it): it keeps the baton while the worker runs or waits for anything but the run,
     * as {@link #awaitOutside} does, and gives it up as soon as the worker waits for a lock that a simulated thread
     * stopped at a point holds (the work's balloon_lock, held by a thread that must be chosen to let go): then it is
     * blocked, the others go on, and it comes back once the worker got the lock and ended. So the schedule, not the
     * watchdog's 200 us, decides when it is passed over, and a run whose work waits for a stopped thread goes on. Any
     * other thread just waits.
     */
    public static <T, E extends Exception> T awaitWorker(Thread worker, Outside<T, E> wait) throws E {
        ControlledScheduler s = RUNNING_ON.get();
        SimThread me = s == null ? null : s.current.get();
        if (me == null || worker == null) {
            return awaitOutside(wait);
        }
        me.outsideOn = worker;
        me.outside = true;
        try {
            return wait.call();
        } finally {
            me.outside = false;
            me.outsideOn = null;
        }
    }

    /**
     * Where a blocked thread stands: one waiting for work outside the run is on its way (MOVING), unless its worker
     * waits for a lock a thread stopped at a point holds (HELD); any other as {@link Blocker} says.
     */
    private Blocker.Kind kind(SimThread t, SimThread parked) {
        if (t.outside) {
            return workerHeld(t, parked) ? Blocker.Kind.HELD : Blocker.Kind.MOVING;
        }
        return Blocker.of(t, threads, parked, lock);
    }

    /** t waits for a worker (awaitWorker) that waits for a lock that a thread stopped at a point (or parked) holds. */
    private boolean workerHeld(SimThread t, SimThread parked) {
        Thread w = t.outsideOn;
        return w != null && Blocker.worker(w, threads, parked) == Blocker.Kind.HELD;
    }

    /** Work outside the run that a simulated thread waits for; E is what the wait may throw. */
    @FunctionalInterface
    public interface Outside<T, E extends Exception> {
        T call() throws E;
    }

    /**
     * Waits until no blocked thread is on its way to its next point (it woke, or the lock it waits for is
     * free): then the threads a decision chooses among are those the schedule, not the machine's speed, left
     * at points. parked is the deciding thread (stopped at a point), or null. Gives up when the run is over.
     */
    private void settle(SimThread parked) {
        long outsideUntil = 0;
        for (int i = 0; !finished && System.nanoTime() < deadline; i++) {
            Blocker.Kind k = moving(parked);
            if (k == null) {
                return;
            }
            if (k == Blocker.Kind.OUTSIDE) {
                long now = System.nanoTime();
                if (outsideUntil == 0) {
                    outsideUntil = now + OUTSIDE_NS;
                } else if (now - outsideUntil > 0) {
                    return; // past the bound: an outside thread that holds it runs on, perhaps waiting for the run
                }
            }
            if (i < SETTLE_SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(10_000); // leave the CPU to the thread it waits for
            }
        }
    }

    /**
     * A blocked thread on its way to its next point: MOVING (it runs, or takes a lock that is free, or waits for work
     * outside the run), else OUTSIDE (it waits for a lock a running thread outside the run holds), else null.
     */
    private Blocker.Kind moving(SimThread parked) {
        Blocker.Kind found = null;
        for (SimThread t : threads) {
            if (t != parked && t.status == SimThread.Status.BLOCKED) {
                // one that woke and now waits for work outside the run (awaitOutside: the host, a driver's worker)
                // comes back however long that takes
                Blocker.Kind k = kind(t, parked);
                if (k == Blocker.Kind.MOVING) {
                    return k;
                }
                if (k == Blocker.Kind.OUTSIDE) {
                    found = k;
                }
            }
        }
        return found;
    }

    /**
     * The strategy's choice among the waiting threads that are awake, or, if none of those may go on, among
     * all (a sleeper wakes early: nothing else in the run would move); records it. Caller holds lock.
     */
    private SimThread choose(SimThread me) {
        List<SimThread> waiting = this.waiting;
        List<SimThread> awake = this.awake;
        waiting.clear();
        awake.clear();
        for (SimThread t : threads) {
            if (t.status == SimThread.Status.WAITING) {
                waiting.add(t);
                if (t.wakeAt <= decisions) {
                    awake.add(t);
                }
            }
        }
        if (waiting.isEmpty()) {
            running = null;
            return null;
        }
        // the strategy's current thread is the one chosen last, not the decider: when nobody holds the baton, the
        // decider is whichever thread came back first, which a seed does not decide (PCT lowers current's priority)
        SimThread current = me == null ? null : lastChosen;
        SimThread next = awake.isEmpty() ? null : strategy.pick(awake, current, (int) decisions);
        if (next == null && awake.size() < waiting.size()) {
            next = strategy.pick(waiting, current, (int) decisions);
        }
        if (next == null) {
            if (mayComeBack(me) && (stalledSince == 0 || System.nanoTime() - stalledSince < strategy.patienceNs())) {
                if (stalledSince == 0) {
                    stalledSince = System.nanoTime();
                }
                running = null; // a blocked thread may yet cause what the script waits for
                return null;
            }
            String why = strategy.relax();
            if (windowClosed == null) {
                windowClosed = why;
            }
            next = strategy.pick(waiting, current, (int) decisions);
        }
        stalledSince = 0;
        next.wakeAt = 0;
        decisions++;
        if (next != me && me != null) {
            switches++;
        }
        String point = next.at;
        int pass = next.pass(point);
        trace.add(next.name, point, pass);
        strategy.passed(next, point, pass);
        next.status = SimThread.Status.RUNNING;
        running = next;
        lastChosen = next;
        blockedSince = 0;
        return next;
    }

    private static void handOff(SimThread next) {
        next.baton = true;
        LockSupport.unpark(next.thread);
    }

    private static void awaitBaton(SimThread me) {
        me.awaiting = true;
        for (int i = 0; !me.baton; i++) {
            if (i < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park();
            }
        }
        me.baton = false;
        me.awaiting = false;
    }

    /**
     * Some blocked thread may yet come to a point: one that waits for a lock a thread stopped at a point
     * holds cannot, so a script that waits only for such threads closes its window at once.
     */
    private boolean mayComeBack(SimThread parked) {
        for (SimThread t : threads) {
            if (t != parked && t.status == SimThread.Status.BLOCKED && kind(t, parked) != Blocker.Kind.HELD) {
                return true;
            }
        }
        return false;
    }

    /**
     * The baton holder blocked outside a point: let another thread run. Or nobody runs because the
     * script waits for blocked threads: past the strategy's patience, the window is closed and the run goes on.
     */
    private void watchdog() {
        SimThread stalled = null;
        synchronized (lock) {
            if (running == null && stalledSince != 0 && System.nanoTime() - stalledSince >= strategy.patienceNs()) {
                stalled = choose(null);
            }
        }
        if (stalled != null) {
            handOff(stalled);
            return;
        }
        SimThread r = running;
        if (r == null || r.awaiting || r.thread == null) {
            return;
        }
        if (r.outside) {
            // it keeps the baton while the work it waits for can end; not once that work waits for a stopped thread
            if (workerHeld(r, null)) {
                handOn(r, System.nanoTime(), false);
            }
            return;
        }
        Thread.State s = r.thread.getState();
        boolean blocked = s == Thread.State.BLOCKED || s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        if (!blocked) {
            blockedSince = 0;
            return;
        }
        long now = System.nanoTime();
        // a sleep (msleep()) is taken at once: under load this loop may look only every few ms, and a 1 ms
        // sleep seen once might not be seen twice (race 8's remove_common() retry, which then spun for good)
        boolean sleeping = s == Thread.State.TIMED_WAITING && Blocker.sleeping(r.thread);
        if (blockedSince == 0 && !sleeping) {
            blockedSince = now;
            return;
        }
        if (!sleeping && now - blockedSince < BLOCKED_NS) {
            return;
        }
        if (!sleeping) {
            // running again, or taking a lock that was let go; or on a lock that a running thread outside the run
            // holds (Felix's event thread in Felix Log's monitor): it goes on once that thread lets go, however long
            // that takes on this machine, so it keeps the baton meanwhile
            Blocker.Kind k = Blocker.of(r, threads, null, lock);
            if (k == Blocker.Kind.MOVING || k == Blocker.Kind.OUTSIDE && now - blockedSince < OUTSIDE_NS) {
                return;
            }
        }
        handOn(r, now, sleeping);
    }

    /** The holder r is blocked (or sleeps for real): the others go on without it; it comes back at its next point. */
    private void handOn(SimThread r, long now, boolean sleeping) {
        synchronized (lock) {
            if (running != r || r.awaiting || r.outside && !workerHeld(r, null) || r.status != SimThread.Status.RUNNING) {
                return; // it went on, or it ended and is choosing who goes on
            }
            r.status = SimThread.Status.BLOCKED;
            trace.blocked(r.name);
            Consumer<String> out = handoffs;
            if (out != null) {
                Thread w = r.outside ? r.outsideOn : null;
                out.accept("decision " + decisions + ": " + r.name + " handed on after " + r.at + (w != null
                        ? ", waiting for " + w.getName() + ", which waits for a stopped thread: " + where(w) + "; "
                        : sleeping ? ", asleep: " : ", blocked " + (now - blockedSince) / 1000 + " us, "
                                + Blocker.of(r, threads, null, lock) + ": ") + where(r.thread));
            }
            running = null; // a thread that comes to a point meanwhile decides itself
        }
        settle(null);
        SimThread next;
        synchronized (lock) {
            next = running == null ? choose(null) : null;
        }
        if (next != null) {
            handOff(next);
        }
    }

    /** Where each blocked thread of a stuck run is, innermost frames first, for the report. */
    private String whereBlocked() {
        StringBuilder sb = new StringBuilder();
        for (SimThread t : threads) {
            Thread th = t.thread;
            if (t.status == SimThread.Status.BLOCKED && th != null) {
                sb.append("; ").append(t.name).append(" blocked in");
                StackTraceElement[] stack = th.getStackTrace();
                for (int i = 0; i < Math.min(stack.length, 12); i++) {
                    sb.append(' ').append(stack[i].getClassName().replaceFirst(".*\\.", "")).append('.')
                            .append(stack[i].getMethodName()).append(':').append(stack[i].getLineNumber());
                }
            }
        }
        return sb.toString();
    }

    private boolean allDone() {
        for (SimThread t : threads) {
            if (t.status != SimThread.Status.DONE) {
                return false;
            }
        }
        return true;
    }
}
