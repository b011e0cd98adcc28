package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Why a device's driver stopped short of its host's target, as the wait for it says. */
class TargetWatchTest {

    /**
     * VirtioJarTest's OOM case blamed the host when the stall was judged while a buffer was in flight
     * ("the host has not acknowledged the last request for 1 ms"): the OOM notifier is the reason.
     */
    @Test
    void aBalloonTheOomNotifierDeflatedIsSaidToBeSoEvenWithABufferInFlight() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d = g.device("0");
            g.inflateTo(d, 600);
            TargetProgress progress = new TargetProgress(1000, 600, d.driver().oomDeflatedPages(),
                    TargetWatch.STALL_MS, 0);
            d.driver().virtioBalloonOomNotify(); // 256 pages taken back
            d.host().setMisbehaviour(HostMisbehaviour.parse("ack-delay 500"));
            d.host().setTarget(1000);
            TestGuest.await("an inflate buffer in flight", () -> d.driver().waitingForAckMs() > 0);

            String why = TargetWatch.why(d, d.driver().numPages(), 1000, progress);

            assertThat(why).startsWith("the OOM notifier keeps deflating the balloon (DEFLATE_ON_OOM)")
                    .contains("the balloon held 600 pages at most; 256 pages deflated on OOM since then");
            d.host().setMisbehaviour(HostMisbehaviour.parse("normal"));
        }
    }
}
