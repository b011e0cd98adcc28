package org.mmlab.vmware.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.lab.InjectionPoints;

/**
 * b->comm_lock is a spinlock: spin_lock() turns preemption off before it takes the lock, so a
 * stop_machine (mm:check) never waits for a task that waits for the lock. Taken the other way round, a
 * storm deadlocked: vmballoon_work() held comm_lock and waited for the stopped machine, mm:check waited
 * for compaction to leave mm code, and compaction, in vmballoon_migratepage(), waited for comm_lock.
 * And the lock point before it (where a race's schedule may hold a task, or end it) comes before
 * preemption goes off: with it after, a task held there kept mm:compact's stop_machine waiting for good
 * (TwoDriversLifecycleTest hung in a full build), and one whose point threw never gave its count back.
 */
class CommLockStopMachineTest {
    /** Bounds a wait for threads that, deadlocked, would never end: not a timing claim. */
    static final long DEADLOCK_MS = 30_000;

    @Test
    void mmCheckWhileTheWorkTakesCommLockAndMigrationWaitsForItDoesNotDeadlock() throws Exception {
        TestGuest g = new TestGuest();
        {
            VmwPages pages = g.device("0").driver().pages;
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            Thread compaction = thread("compaction", () -> { // inside mm code, as migration is
                g.mm.preemptDisable();
                inside.countDown();
                awaitLatch(go);
                pages.lockComm(); // vmballoon_migratepage()
                pages.unlockComm();
                g.mm.preemptEnable();
            });
            inside.await();
            Thread check = thread("mm:check", g::check);
            until(() -> Arrays.stream(check.getStackTrace()).anyMatch(f -> f.getMethodName().equals("stopMachine"))
                    && check.getState() != Thread.State.WAITING); // spinning until compaction leaves mm code
            Thread work = thread("vmballoon_work", () -> {
                pages.lockComm();
                pages.unlockComm();
            });
            until(() -> work.getState() == Thread.State.WAITING); // the machine is stopping: it waits

            go.countDown();

            for (Thread t : new Thread[] {compaction, check, work}) {
                t.join(DEADLOCK_MS);
                assertThat(t.isAlive()).as("%s deadlocked", t.getName()).isFalse(); // a deadlocked guest cannot close
            }
        }
        g.close();
    }

    @Test
    void aTaskHeldAtCommLocksLockPointDoesNotKeepAStopMachineWaiting() throws Exception {
        TestGuest g = new TestGuest();
        CountDownLatch atPoint = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LockPoint point = new LockPoint(() -> {
            atPoint.countDown();
            awaitLatch(release); // a race's schedule holding the task at "lock:&b->comm_lock"
        });
        VmwDevice d = device(g, point);
        VmwPages pages = d.driver().pages;
        Thread work = thread("vmballoon_work", () -> {
            point.armed = Thread.currentThread();
            pages.lockComm();
            pages.unlockComm();
        });
        atPoint.await();

        Thread check = thread("mm:check", g::check);
        check.join(DEADLOCK_MS);
        boolean checked = !check.isAlive();
        release.countDown();
        work.join(DEADLOCK_MS);

        assertThat(checked).as("mm:check ended while a task was held at comm_lock's lock point").isTrue();
        d.deactivate();
        g.close();
    }

    @Test
    void aLockPointThatThrowsLeavesPreemptionOn() throws Exception {
        TestGuest g = new TestGuest();
        LockPoint point = new LockPoint(() -> {
            throw new IllegalStateException("the run ended at lock:&b->comm_lock");
        });
        VmwDevice d = device(g, point);
        point.armed = Thread.currentThread();

        assertThatThrownBy(d.driver().pages::lockComm).hasMessageContaining("the run ended");
        point.armed = null;
        Thread check = thread("mm:check", g::check); // another task: a stop_machine waits for this one's count
        check.join(DEADLOCK_MS);

        assertThat(check.isAlive()).as("mm:check waited for a count the failed lock never gave back").isFalse();
        d.deactivate();
        g.close();
    }

    /** What the lock point does to the armed task (the others pass), as a race's InjectionPoints would. */
    static final class LockPoint {
        final Runnable action;
        volatile Thread armed;

        LockPoint(Runnable action) {
            this.action = action;
        }
    }

    /** A device whose memory manager runs the point's action at comm_lock's lock point. */
    private static VmwDevice device(TestGuest g, LockPoint point) {
        MemoryManager mm = (MemoryManager) Proxy.newProxyInstance(MemoryManager.class.getClassLoader(),
                new Class<?>[] {MemoryManager.class}, (proxy, method, args) -> {
                    if (method.getName().equals("lockdepAcquire") && InjectionPoints.LOCK_VMW_COMM.equals(args[0])
                            && Boolean.FALSE.equals(args[1]) && point.armed == Thread.currentThread()) {
                        point.action.run();
                    }
                    try {
                        return method.invoke(g.mm, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        VmwDevice d = new VmwDevice(DeviceConfig.parse("1", null, "0", DeviceConfig.ALL_CAPABILITIES, "normal", false,
                "enoent"), mm, g.mm, g.balloons, g.movablePages, g.registry);
        TestGuest.await("device 1 started", () -> !d.driver().resetRequired && d.driver().idle());
        return d;
    }

    private static Thread thread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void awaitLatch(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + DEADLOCK_MS;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("the condition within %d ms", DEADLOCK_MS).isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
