package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.lab.ModuleCaller;

/**
 * cancel_work_sync() on a work that requeues itself, as update_balloon_size_func() does: once the
 * cancel returns, the work is neither running nor pending, and it never runs again (the remove path
 * relies on it: a fill that ran after cancel_work_sync() stranded its pages in an orphaned balloon).
 */
class WorkqueueTest {

    @Test
    void aWorkThatRequeuesItselfWhileBeingCancelledDoesNotRunAgain() throws Exception {
        Workqueue wq = new Workqueue("test", ModuleCaller.BUILT_IN);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Workqueue.Work[] self = new Workqueue.Work[1];
        self[0] = wq.work("requeues itself", () -> {
            runs.incrementAndGet();
            running.countDown();
            awaitUninterruptibly(finish);
            wq.queueWork(self[0]); // diff != 0: queue_work(system_freezable_wq, work)
        });
        wq.queueWork(self[0]);
        running.await();

        Thread canceller = new Thread(() -> wq.cancelWorkSync(self[0]), "canceller");
        canceller.start();
        TestGuest.await("cancel_work_sync() waits for the running work",
                () -> canceller.getState() == Thread.State.WAITING);
        finish.countDown();
        canceller.join();

        assertThat(wq.busy(self[0])).as("pending or running after cancel_work_sync()").isFalse();
        wq.destroy(); // drains: a work still queued would run here
        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void destroyLetsARunningWorkFinishWithoutInterruptingIt() throws Exception {
        Workqueue wq = new Workqueue("test", ModuleCaller.BUILT_IN);
        CountDownLatch running = new CountDownLatch(1);
        boolean[] interrupted = new boolean[1];
        wq.queueWork(wq.work("long", () -> {
            running.countDown();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                interrupted[0] = true;
            }
        }));
        running.await();

        wq.destroy();

        assertThat(interrupted[0]).as("interrupted by destroy_workqueue()").isFalse();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // the old destroy_workqueue() interrupted; the test's own latch decides
            }
        }
    }
}
