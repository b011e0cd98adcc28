package org.mmlab.lab.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the scheduler takes a blocked simulated thread to be doing, from what the JVM says of it. */
class BlockerTest {
    /**
     * A thread back from a block enters the scheduler's monitor to say it is at its point; while the deciding
     * thread holds that monitor it is on its way, not held by the decider as on one of its kernel locks. Taken
     * for HELD, a replay whose trace chose it diverged at once (race 8, race 1's design: "the trace chooses
     * compaction, which is not waiting", about 1 replay in 150 under load).
     */
    @Test
    @Timeout(30)
    void aThreadEnteringTheSchedulersMonitorIsOnItsWayButOneOnTheDecidersLockIsHeld() throws Exception {
        Object schedulerLock = new Object();
        Object kernelLock = new Object();
        SimThread decider = new SimThread(0, "admin", () -> { });
        decider.thread = Thread.currentThread();
        decider.status = SimThread.Status.WAITING;
        SimThread woken = new SimThread(1, "compaction", () -> { });
        woken.status = SimThread.Status.BLOCKED;
        List<SimThread> threads = List.of(decider, woken);

        assertThat(blockedOn(schedulerLock, woken, threads, decider, schedulerLock)).isEqualTo(Blocker.Kind.MOVING);
        assertThat(blockedOn(kernelLock, woken, threads, decider, schedulerLock)).isEqualTo(Blocker.Kind.HELD);
    }

    /**
     * One look at a thread reads its state, then its lock, while it runs on: a thread that a lock's release woke in
     * between looks parked on nothing (WAITING, no lock), which is OTHER and let the decision go on without it (race 8,
     * seeds 1624 and 2361: compaction back from balloon_pages_lock one decision late, about 1 run in 4,000). A second
     * look that says otherwise makes it MOVING; one that says the same leaves the verdict alone.
     */
    @Test
    void aThreadWokenWhileTheJvmLookedAtItIsOnItsWay() {
        Thread th = new Thread(() -> { }, "sim-compaction");
        SimThread woken = new SimThread(1, "compaction", () -> { });
        woken.thread = th;
        woken.status = SimThread.Status.BLOCKED;
        Object schedulerLock = new Object();
        Blocker.Look torn = new Blocker.Look(Thread.State.WAITING, null, -1);
        Blocker.Look running = new Blocker.Look(Thread.State.RUNNABLE, null, -1);

        assertThat(Blocker.of(woken, List.of(woken), null, schedulerLock, looks(torn, running)))
                .isEqualTo(Blocker.Kind.MOVING);
        assertThat(Blocker.of(woken, List.of(woken), null, schedulerLock, looks(torn, torn)))
                .as("parked on nothing, twice: it waits").isEqualTo(Blocker.Kind.OTHER);
    }

    /**
     * A thread blocked on a monitor whose owner, read by the JVM a moment before, now waits on that very monitor
     * (Object.wait() let go of it) is about to take it: MOVING. Race 8's admin, logging through Felix Log while its
     * listener thread took the queue's monitor and waited on it, was OTHER, and was passed over at its third decision
     * (seed 356 printed it at decision 2). An owner that waits on another lock, or for one, leaves the verdict alone.
     */
    @Test
    void aThreadBlockedOnAMonitorItsOwnerNowWaitsOnIsOnItsWay() {
        Thread th = new Thread(() -> { }, "sim-admin");
        SimThread admin = new SimThread(0, "admin", () -> { });
        admin.thread = th;
        admin.status = SimThread.Status.BLOCKED;
        Object schedulerLock = new Object();
        java.lang.management.LockInfo queue = new java.lang.management.LockInfo("java.util.ArrayList", 0x79c04d29);
        java.lang.management.LockInfo other = new java.lang.management.LockInfo("java.lang.Object", 0x1234);
        long listener = Long.MAX_VALUE; // no thread of the run
        Blocker.Look blocked = new Blocker.Look(Thread.State.BLOCKED, queue, listener);

        assertThat(Blocker.of(admin, List.of(admin), null, schedulerLock,
                looks(blocked, new Blocker.Look(Thread.State.WAITING, queue, -1)))).isEqualTo(Blocker.Kind.MOVING);
        assertThat(Blocker.of(admin, List.of(admin), null, schedulerLock,
                looks(blocked, new Blocker.Look(Thread.State.WAITING, other, -1))))
                .as("its owner waits on something else: it holds the queue").isEqualTo(Blocker.Kind.OTHER);
        assertThat(Blocker.of(admin, List.of(admin), null, schedulerLock,
                looks(blocked, new Blocker.Look(Thread.State.RUNNABLE, null, -1)))).isEqualTo(Blocker.Kind.OUTSIDE);
    }

    /** Eyes that see each look in turn, the last one from then on. */
    private static Blocker.Eyes looks(Blocker.Look... looks) {
        int[] next = new int[1];
        return id -> looks[Math.min(next[0]++, looks.length - 1)];
    }

    /** What Blocker says of t while its thread waits to enter monitor, which the calling thread (decider's) holds. */
    private static Blocker.Kind blockedOn(Object monitor, SimThread t, List<SimThread> threads, SimThread decider,
            Object schedulerLock) throws InterruptedException {
        AtomicBoolean entered = new AtomicBoolean();
        Thread th = new Thread(() -> {
            synchronized (monitor) {
                entered.set(true);
            }
        }, "sim-" + t.name);
        Blocker.Kind kind;
        synchronized (monitor) {
            th.start();
            while (th.getState() != Thread.State.BLOCKED) {
                Thread.onSpinWait();
            }
            t.thread = th;
            kind = Blocker.of(t, threads, decider, schedulerLock);
        }
        th.join();
        assertThat(entered).isTrue();
        return kind;
    }
}
