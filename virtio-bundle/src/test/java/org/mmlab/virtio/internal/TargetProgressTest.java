package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * virtio:target's stall detector, on a clock of its own (issue 10, item 3): a balloon that the OOM
 * notifier deflates as fast as it inflates moves all the time and is stalled all the same.
 */
class TargetProgressTest {
    static final long STALL_MS = 5_000;
    static final long TARGET = 998_400;

    @Test
    void aBalloonThatInflatesAndIsDeflatedOnOomAgainIsStalledOnceItComesNoCloser() {
        TargetProgress p = new TargetProgress(TARGET, 0, 0, STALL_MS, 0);
        long oom = 0;
        long t = 0;
        assertThat(p.sample(700_000, oom, t)).isTrue();
        for (int i = 0; i < 100; i++) { // up by a buffer, down by an OOM notification, for 10 s
            t += 50;
            assertThat(p.sample(700_256, oom, t)).as("a new closest approach only once").isEqualTo(i == 0);
            t += 50;
            oom += 256;
            assertThat(p.sample(700_000, oom, t)).as("going back is no progress").isFalse();
        }

        assertThat(p.stalled(t)).isTrue();
        assertThat(p.closest()).isEqualTo(700_256);
        assertThat(p.oomDeflatedSinceBest(oom)).isEqualTo(100 * 256);
    }

    @Test
    void aBalloonThatKeepsComingCloserIsNeverStalled() {
        TargetProgress p = new TargetProgress(TARGET, 0, 0, STALL_MS, 0);
        long t = 0;
        for (long pages = 0; pages < TARGET; pages += 256) {
            t += STALL_MS; // slow, but closer each time
            assertThat(p.sample(pages + 256, 0, t)).isTrue();
            assertThat(p.stalled(t)).isFalse();
        }
    }

    @Test
    void deflatingTowardsALowerTargetIsProgressToo() {
        TargetProgress p = new TargetProgress(1_000, 5_000, 0, STALL_MS, 0);

        assertThat(p.sample(4_744, 0, 10)).isTrue();
        assertThat(p.sample(4_900, 0, 20)).isFalse();
        assertThat(p.stalled(STALL_MS + 10)).isFalse();
        assertThat(p.stalled(STALL_MS + 11)).isTrue();
    }
}
