package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.mmlab.virtio.VirtioBalloonState;
import org.osgi.util.promise.Promise;

/** The wait for a device's driver to reach its host's target, and why it stopped short. */
class TargetWatchTest {

    /**
     * The race lab waits for device 0's target after every start of virtio-bundle: the sample that finds it
     * reached comes when the driver's step ends, not a sampling period later. Here the period is an hour, and
     * the step cannot end before the first sample (the host acknowledges the buffer 500 ms late).
     */
    @Test
    void theTargetIsKeptWhenTheDriversStepEndsNotAtTheNextSample() throws Exception {
        try (TestGuest g = new TestGuest(); TargetWatch watch = new TargetWatch(TimeUnit.HOURS.toMillis(1))) {
            VirtioBalloonDevice d = g.device("0");
            d.host().setMisbehaviour(HostMisbehaviour.parse("ack-delay 500"));

            Promise<VirtioBalloonState> reached = watch.setTarget(d, 256);

            assertThat(reached.timeout(20_000).getValue().numPages()).isEqualTo(256);
            d.host().setMisbehaviour(HostMisbehaviour.parse("normal"));
        }
    }

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
