package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

/** stop_machine()'s read sections: a flag a task, a stop waits for every task inside, ended tasks are forgotten. */
class StopMachineTest {
    @Test
    void aStopWaitsForTheTaskInsideAndRunsOnceItLeaves() throws Exception {
        StopMachine sm = new StopMachine();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        AtomicBoolean left = new AtomicBoolean();
        Thread task = new Thread(() -> {
            StopMachine.Task t = sm.enter();
            sm.enter(); // nested: the outer exit is the one that counts
            sm.exit();
            inside.countDown();
            try {
                leave.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            left.set(true);
            sm.exit(t);
        });
        task.start();
        inside.await();
        AtomicBoolean sawLeft = new AtomicBoolean();
        Thread stopper = new Thread(() -> sm.stopMachine(() -> {
            sawLeft.set(left.get());
            return null;
        }));
        stopper.start();
        while (!sm.stopPending()) {
            Thread.onSpinWait();
        }
        leave.countDown();
        stopper.join();
        task.join();
        assertThat(sawLeft).as("the stopped machine's function ran after the task left").isTrue();
        // the caller's own section does not hold its stop
        sm.enter();
        assertThat(sm.stopMachine(() -> "ran")).isEqualTo("ran");
        sm.exit();
    }

    @Test
    void aSleepingTaskIsNotWaitedForAndWakesAtItsDepth() {
        StopMachine sm = new StopMachine();
        sm.enter();
        sm.enter();
        int depth = sm.sleep();
        assertThat(depth).isEqualTo(2);
        Thread other = new Thread(() -> sm.stopMachine(() -> null));
        other.start();
        try {
            other.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        sm.wake(depth);
        sm.exit();
        sm.exit();
        assertThat(sm.stopMachine(() -> "out")).isEqualTo("out");
    }

    @Test
    void theTasksThatEndedAreForgottenWhenANewOneEnters() throws Exception {
        StopMachine sm = new StopMachine();
        for (int i = 0; i < 100; i++) {
            Thread t = new Thread(() -> {
                sm.enter();
                sm.exit();
            });
            t.start();
            t.join();
        }
        assertThat(sm.tasksListed()).as("each new task forgets those that ended").isLessThanOrEqualTo(2);
    }
}
