package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.balloon.BalloonDevInfo;

/** A slow, silent or greedy host: the driver neither hangs nor corrupts state, and says what happened. */
class MisbehavingHostTest {

    @Test
    void aSlowHostOnlySlowsTheBalloonDown() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0", Features.DEFAULT_OFFER, "0", 20, "normal", 5_000);

            g.inflateTo(d, 600);

            assertThat(d.host().view().held()).isEqualTo(600);
            assertThat(d.vdev().broken()).isFalse();
        }
    }

    @Test
    void aHostThatNeverAcknowledgesBreaksTheDeviceAndRemoveStillGivesEveryPageBack() {
        try (TestGuest g = new TestGuest()) {
            long free = g.freePagesDrained();
            VirtioBalloonDevice d = g.device("0", Features.DEFAULT_OFFER, "0", 0, "normal", 200);
            g.inflateTo(d, 300);
            d.host().setMisbehaviour(HostMisbehaviour.parse("no-ack"));

            d.host().setTarget(600);
            TestGuest.await("the device breaks", () -> d.vdev().broken() && d.driver().idle());

            assertThat(g.dmesg()).anyMatch(l -> l.startsWith("virtio_balloon virtio0: the host did not acknowledge"
                    + " the inflate buffer (256 pfns) within 200 ms"));
            assertThat(d.driver().numPages()).as("the pages are the balloon's, the host has not taken them")
                    .isEqualTo(556);
            assertThat(d.host().view().held()).isEqualTo(300);
            InflateDeflateTest.assertProblems(d).isEmpty();

            long t0 = System.currentTimeMillis();
            d.deactivate();

            assertThat(System.currentTimeMillis() - t0).as("remove is bounded").isLessThan(5_000);
            assertThat(g.freePagesDrained()).isEqualTo(free);
            assertThat(d.host().view().held()).as("the reset gave every frame back").isZero();
        }
    }

    @Test
    void withMustTellHostUnacknowledgedDeflatedPagesAreKeptUntilTheReset() {
        try (TestGuest g = new TestGuest()) {
            long free = g.freePagesDrained();
            VirtioBalloonDevice d = g.device("0", "MUST_TELL_HOST", "0", 0, "normal", 200);
            g.inflateTo(d, 100);
            List<Integer> pfns = new ArrayList<>(g.balloons.devs.get(0).pages);
            assertThat(pfns).hasSize(100);
            d.host().setMisbehaviour(HostMisbehaviour.parse("no-ack"));

            assertThat(d.driver().leakBalloon(100)).isEqualTo(100);

            assertThat(d.vdev().broken()).isTrue();
            for (int pfn : pfns) {
                assertThat(g.mm.pageCount(pfn)).as("pfn %#x kept by the driver", pfn).isEqualTo(1);
                assertThat(g.mm.frameHolder(pfn)).isSameAs(d.host());
            }
            InflateDeflateTest.assertProblems(d).isEmpty();

            d.deactivate();

            assertThat(g.dmesg()).contains("virtio_balloon virtio0: releasing 100 pages the host never acknowledged,"
                    + " after the reset");
            assertThat(g.freePagesDrained()).isEqualTo(free);
            pfns.forEach(pfn -> assertThat(g.mm.frameHolder(pfn)).isNull());
        }
    }

    @Test
    void withoutMustTellHostTheGuestReusesPagesBeforeTheAckAndTheHostFaultsThemIn() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0", "STATS_VQ", "0", 0, "normal", 200);
            g.inflateTo(d, 100);
            d.host().setMisbehaviour(HostMisbehaviour.parse("no-ack"));

            d.driver().leakBalloon(100);

            assertThat(d.vdev().broken()).isTrue();
            assertThat(d.host().view().held()).as("the host never took the deflate").isEqualTo(100);
            int pfn = g.mm.allocPages(FakeBalloons.GFP_BALLOON, 0);
            g.mm.writePage(pfn, 42); // a released page, reused: faulted in if the host held it, no loss
            assertThat(g.mm.readPage(pfn)).isEqualTo(42);
            assertThat(d.host().view().dataLoss()).isZero();
            InflateDeflateTest.assertProblems(d).isEmpty();
            g.mm.freePages(pfn, 0);
        }
    }

    @Test
    void aTargetBeyondMemoryTakesWhatTheGuestCanGiveAndTheDriverKeepsTrying() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");

            d.host().setTarget(1L << 20); // 4 GiB of a 64 MiB guest
            TestGuest.await("Out of puff",
                    () -> g.dmesg().contains("virtio_balloon virtio0: Out of puff! Can't get 1 pages"));

            assertThat(d.driver().numPages()).isGreaterThan(14_000).isLessThan(16_384);
            assertThat(d.host().view().held()).isEqualTo(d.driver().numPages());
            d.host().setTarget(0);
            TestGuest.await("deflated", () -> d.driver().numPages() == 0 && d.driver().idle());
        }
    }

    @Test
    void aMigrationWhoseDeflateIsNeverAcknowledgedKeepsTheOldPage() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0", "MUST_TELL_HOST", "0", 0, "normal", 200);
            g.inflateTo(d, 10);
            BalloonDevInfo b = d.driver().vbDevInfo;
            int pfn = g.balloons.isolateOne(b);
            int newPfn = g.mm.allocPages(FakeBalloons.GFP_BALLOON, 0);
            d.host().setMisbehaviour(HostMisbehaviour.parse("no-ack"));

            assertThat(g.balloons.migrate(b, newPfn, pfn)).isZero();

            assertThat(d.vdev().broken()).isTrue();
            assertThat(g.mm.pageCount(pfn)).as("kept while the host may hold it").isEqualTo(1);
            InflateDeflateTest.assertProblems(d).isEmpty();
            assertThat(d.driver().virtballoonMigratepage(b, newPfn, pfn, org.mmlab.mm.MigrateMode.SYNC))
                    .as("a broken device takes no migration").isNegative();
        }
    }
}
