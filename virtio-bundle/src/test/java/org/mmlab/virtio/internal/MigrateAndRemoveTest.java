package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.mm.Errno;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.Mm;

/** virtballoon_migratepage() and virtballoon_remove(), with the fake balloon infrastructure around them. */
class MigrateAndRemoveTest {

    @Test
    void migrationTellsTheHostTheNewPageIsInflatedAndTheOldDeflated() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            g.inflateTo(d, 10);
            BalloonDevInfo b = d.driver().vbDevInfo;
            int pfn = g.balloons.isolateOne(b);
            int newPfn = g.mm.allocPages(FakeBalloons.GFP_BALLOON, 0);

            int rc = g.balloons.migrate(b, newPfn, pfn);

            assertThat(rc).isZero();
            assertThat(d.host().holds(newPfn)).isTrue();
            assertThat(d.host().holds(pfn)).isFalse();
            assertThat(g.mm.pageCount(pfn)).as("the old page went back to the allocator").isZero();
            assertThat(d.host().view().held()).isEqualTo(10);
            assertThat(d.driver().numPages()).isEqualTo(10);
            InflateDeflateTest.assertProblems(d).isEmpty();
        }
    }

    @Test
    void migrationGivesUpWithEagainWhileBalloonLockIsHeld() throws Exception {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            g.inflateTo(d, 10);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                d.driver().balloonLock.lock();
                try {
                    held.countDown();
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    d.driver().balloonLock.unlock();
                }
            });
            holder.start();
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
            long acked = d.host().view().ackedBuffers();

            int rc = d.driver().virtballoonMigratepage(d.driver().vbDevInfo, 1, 2, MigrateMode.ASYNC);

            assertThat(rc).isEqualTo(-Errno.EAGAIN);
            assertThat(d.host().view().ackedBuffers()).as("nothing told to the host").isEqualTo(acked);
            release.countDown();
            holder.join();
        }
    }

    @Test
    void removeWaitsForIsolatedPagesThenGivesEveryPageBackInTheKernelsOrder() throws Exception {
        try (TestGuest g = new TestGuest()) {
            long free = g.freePagesDrained();
            VirtioBalloonDevice d = g.device("0");
            g.inflateTo(d, 300);
            BalloonDevInfo b = d.driver().vbDevInfo;
            int isolated = g.balloons.isolateOne(b);

            Thread remove = new Thread(d::deactivate);
            remove.start();
            // every other page leaked, remove_common() sleeps between its retries: or it returned
            TestGuest.await("remove_common() retrying", () -> !remove.isAlive()
                    || d.driver().numPages() == 1 && remove.getState() == Thread.State.TIMED_WAITING);

            assertThat(remove.isAlive()).as("remove_common() waits while a page is isolated").isTrue();
            assertThat(d.driver().numPages()).isEqualTo(1);
            assertThat(d.host().holds(isolated)).isTrue();
            g.balloons.putback(b, isolated);
            remove.join();

            assertThat(d.driver().numPages()).isZero();
            assertThat(d.host().view().held()).isZero();
            assertThat(g.freePagesDrained()).isEqualTo(free);
            assertThat(g.balloons.calls).last().isEqualTo("balloonDevinfoRemove virtio-balloon 0");
            assertThat(g.registry.get("0")).isEmpty();
            assertThat(d.driver().updatesStopped()).isTrue();
            // after remove the OOM notifier and the shrinker are gone: pressure does not reach the driver
            assertThat(d.driver().virtioBalloonOomNotify()).isZero();
        }
    }

    @Test
    void removeReturnsHintedBlocksToo() throws Exception {
        try (TestGuest g = new TestGuest()) {
            long free = g.freePagesDrained();
            VirtioBalloonDevice d = g.device("0");
            d.host().startHinting();
            assertThat(d.host().awaitHintStop(10_000)).isTrue();
            assertThat(d.driver().hinting.numFreePageBlocks()).isPositive();

            d.deactivate();

            assertThat(d.driver().hinting.numFreePageBlocks()).isZero();
            assertThat(g.freePagesDrained()).isEqualTo(free);
            assertThat(g.mm.allocPages(FakeBalloons.GFP_BALLOON, Mm.MAX_PAGE_ORDER)).isNotEqualTo(Mm.NO_PAGE);
        }
    }
}
