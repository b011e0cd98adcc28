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
