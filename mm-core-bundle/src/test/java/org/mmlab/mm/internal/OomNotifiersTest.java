package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.OomNotifier;

/** unregister_oom_notifier() returns only once no call into the notifier is running. */
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

        Thread remove = new Thread(() -> chain.unregister(balloon));
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
}
