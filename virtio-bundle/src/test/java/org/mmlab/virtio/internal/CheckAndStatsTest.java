package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Mm;

/** The device's mm:check contribution fails on what it guards, and the host receives all sixteen stats. */
class CheckAndStatsTest {

    @Test
    void aFrameTheHostTookWithoutTheDriverFailsTheCheck() throws Exception {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            g.inflateTo(d, 10);
            int stray = g.mm.allocPages(FakeBalloons.GFP_BALLOON, 0);

            d.driver().inflateVq.add(new int[] {stray}, null, 0); // a buffer behind the driver's back
            TestGuest.await("the host took it", () -> d.host().holds(stray));

            InflateDeflateTest.assertProblems(d).anyMatch(p -> p.startsWith("the host holds 11 frames"));
        }
    }

    @Test
    void aGuestAccessToAHeldFrameIsDataLossWithMustTellHost() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            g.inflateTo(d, 10);
            int pfn = g.balloons.devs.get(0).pages.peekFirst();

            g.mm.readPage(pfn);

            assertThat(d.host().view().dataLoss()).isEqualTo(1);
            InflateDeflateTest.assertProblems(d).anyMatch(p -> p.contains("data loss"));
        }
    }

    @Test
    void theHostReceivesAllSixteenStatsWithTheGuestsValues() throws Exception {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            g.inflateTo(d, 100);

            assertThat(d.host().requestStats(5_000)).isTrue();
            long[] s = d.host().lastStats();

            assertThat(s).hasSize(Uapi.VIRTIO_BALLOON_S_NR);
            assertThat(s[Uapi.VIRTIO_BALLOON_S_MEMTOT]).isEqualTo(g.mm.totalramPages() << Mm.PAGE_SHIFT);
            assertThat(s[Uapi.VIRTIO_BALLOON_S_MEMFREE]).isEqualTo(g.mm.freePages() << Mm.PAGE_SHIFT);
            assertThat(s[Uapi.VIRTIO_BALLOON_S_AVAIL]).isEqualTo(g.mm.memAvailable() << Mm.PAGE_SHIFT);
            assertThat(s[Uapi.VIRTIO_BALLOON_S_SWAP_IN]).as("no swap in this guest").isZero();
            assertThat(s[Uapi.VIRTIO_BALLOON_S_OOM_KILL]).isZero();
            assertThat(Uapi.STAT_NAMES).hasSize(Uapi.VIRTIO_BALLOON_S_NR);
        }
    }

    @Test
    void withoutStatsVqTheHostGetsNoStats() throws Exception {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0", "MUST_TELL_HOST", "0", 0, "normal", 5_000);

            assertThat(d.host().requestStats(100)).isFalse();
            assertThat(d.host().lastStats()).isNull();
        }
    }
}
