package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.OomNotifier;

/**
 * unregister_oom_notifier() returns only once no call into the notifier is running; a notifier sleeping
 * on its driver's lock does not hold up stop_machine().
 */
class OomNotifiersTest {
    @Test
    void unregisteringWaitsForANotificationInFlight() throws Exception {
        OomNotifiers chain = new OomNotifiers();
        ModuleCalls calls = new ModuleCalls(new ModuleTable(), HandBuiltGuest.boot()); // built-in code: unchecked
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean returned = new AtomicBoolean();
        OomNotifier balloon = () -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            returned.set(true);
            return 256;
        };
        chain.register(balloon);
        Thread allocating = new Thread(() -> chain.callChain(calls));
        allocating.start();
        inside.await();

        Thread remove = new Thread(() -> chain.unregister(balloon, calls));
        remove.start();
        while (remove.getState() != Thread.State.WAITING && remove.isAlive()) {
            Thread.onSpinWait(); // until it parks on the chain's rwsem, or returns
        }
        assertThat(remove.isAlive()).as("unregister waits while the notifier runs").isTrue();
        release.countDown();
        remove.join();
        assertThat(returned).isTrue();
        allocating.join();
        assertThat(chain.callChain(calls)).as("nothing left to call").isZero();
    }

    /**
     * The deadlock a 10,000-cycle storm met at cycle 5,100: a workload task out of memory calls virtio's
     * notifier, which sleeps on balloon_lock; the driver's work holds balloon_lock and enters mm code while
     * mm:check's stop_machine() waits for every task in mm code. The allocating task sleeps outside it.
     */
    @Test
    void aNotifierSleepingOnItsDriversLockDoesNotHoldUpStopMachine() throws Exception {
        StopMachine sm = new StopMachine();
        OomNotifiers chain = new OomNotifiers();
        chain.setStopMachine(sm);
        ModuleCalls calls = new ModuleCalls(new ModuleTable(), HandBuiltGuest.boot());
        ReentrantLock balloonLock = new ReentrantLock();
        balloonLock.lock(); // the driver's update work, in leak_balloon()
        chain.register(() -> {
            balloonLock.lock();
            balloonLock.unlock();
            return 1;
        });
        Thread allocating = daemon(() -> {
            sm.enter(); // __alloc_pages()
            try {
                chain.callChain(calls);
            } finally {
                sm.exit();
            }
        });
        while (!balloonLock.hasQueuedThread(allocating)) {
            Thread.onSpinWait(); // until the notifier sleeps on the lock
        }

        AtomicBoolean checked = new AtomicBoolean();
        Thread check = daemon(() -> sm.stopMachine(() -> checked.getAndSet(true)));
        check.join(30_000); // a bound on a deadlock, not a timing claim

        assertThat(checked).as("mm:check's stop_machine() ran while the notifier slept").isTrue();
        sm.enter(); // the driver's work goes on into mm code, then lets balloon_lock go
        sm.exit();
        balloonLock.unlock();
        allocating.join(30_000);
        assertThat(allocating.isAlive()).as("the allocating task went on").isFalse();
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
