package org.mmlab.aeration.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** schedule_delayed_work() and cancel_delayed_work_sync() as the designs rely on them. */
class DelayedWorkTest {
    @Test
    void aPendingWorkIsNotQueuedTwiceAndRunsOnceWhenKicked() {
        AtomicInteger runs = new AtomicInteger();
        DelayedWork w = new DelayedWork("test", runs::incrementAndGet, false);
        assertThat(w.schedule(1000)).isTrue();
        assertThat(w.schedule(1000)).isFalse();

        assertThat(w.runIfPending()).isTrue();
        assertThat(w.runIfPending()).isFalse();
        assertThat(runs).hasValue(1);
        w.destroy();
    }

    @Test
    void cancelSyncWaitsForTheRunningWorkAndLeavesNothingPending() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DelayedWork w = new DelayedWork("test", () -> {
            inside.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, false);
        w.schedule(0);
        Thread run = new Thread(w::runIfPending);
        run.start();
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        w.schedule(0);
        CountDownLatch cancelled = new CountDownLatch(1);
        Thread cancel = new Thread(() -> {
            w.cancelSync();
            cancelled.countDown();
        });
        cancel.start();
        HintingGuest.awaitStuckOrDone(cancel);
        assertThat(cancelled.getCount()).isOne();

        release.countDown();
        cancel.join();
        run.join();

        assertThat(w.pending()).isFalse();
        assertThat(w.runningNow()).isFalse();
        w.destroy();
    }

    @Test
    void withAutoRunTheTimerRunsIt() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        DelayedWork w = new DelayedWork("test", ran::countDown, true);
        w.schedule(1);
        assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
        w.destroy();
    }
}
