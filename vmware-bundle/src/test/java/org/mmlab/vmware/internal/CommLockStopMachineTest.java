package org.mmlab.vmware.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

/**
 * b->comm_lock is a spinlock: spin_lock() turns preemption off before it takes the lock, so a
 * stop_machine (mm:check) never waits for a task that waits for the lock. Taken the other way round, a
 * storm deadlocked: vmballoon_work() held comm_lock and waited for the stopped machine, mm:check waited
 * for compaction to leave mm code, and compaction, in vmballoon_migratepage(), waited for comm_lock.
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
