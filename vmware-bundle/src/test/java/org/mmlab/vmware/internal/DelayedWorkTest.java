package org.mmlab.vmware.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.lab.ModuleCaller;

/** The delayed work's rules: one pending timer, mod_delayed_work() brings it forward, the cancel is final. */
class DelayedWorkTest {
    @Test
    void modDelayedWorkRunsAPendingWorkNowAndQueueingItAgainDoesNothing() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        DelayedWork w = new DelayedWork("test", ran::countDown, ModuleCaller.BUILT_IN);

        assertThat(w.queueDelayedWork(60_000)).isTrue();
        assertThat(w.queueDelayedWork(0)).as("pending already").isFalse();
        assertThat(w.modDelayedWork(0)).as("was pending").isTrue();

        assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
        w.destroy();
    }

    /** A work that queues itself, as vmballoon_work() does, is neither pending nor running after the cancel. */
    @Test
    void aSelfQueueingWorkIsGoneAfterCancelDelayedWorkSync() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<DelayedWork> self = new AtomicReference<>();
        DelayedWork w = new DelayedWork("test", () -> {
            runs.incrementAndGet();
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            self.get().queueDelayedWork(0);
        }, ModuleCaller.BUILT_IN);
        self.set(w);
        w.queueDelayedWork(0);
        assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();

        Thread cancel = new Thread(w::cancelDelayedWorkSync);
        cancel.start();
        TestGuest.await("the cancel waiting for the running work", () -> cancel.getState() == Thread.State.WAITING);
        release.countDown();
        cancel.join();

        assertThat(w.busy()).isFalse();
        assertThat(w.queueDelayedWork(60_000)).as("queueable again after the cancel").isTrue();
        assertThat(runs.get()).isEqualTo(1);
        w.destroy();
    }
}
