package org.mmlab.lab.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promises;

/** What a race's wait for work outside the run says when the work fails, or never ends. */
class LabContextAwaitTest {

    @Test
    void aWaitThatRunsOutSaysWhatItWaitedFor() {
        // the promise's timeout fails it with org.osgi.util.promise.TimeoutException, which has no message:
        // the shell used to call that "a bug in the lab (at LabContext.java line 210)"
        assertThatThrownBy(() -> LabContext.await(new Deferred<String>().getPromise(), "device 0 to be probed", 50))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("timed out waiting 50 ms for device 0 to be probed (see mm:dmesg and the log: log warn)");
    }

    @Test
    void aFailedWaitThrowsTheFailure() {
        IllegalArgumentException why = new IllegalArgumentException("the gate refused it");

        assertThatThrownBy(() -> LabContext.await(Promises.failed(why), "the guest to reboot", 50)).isSameAs(why);
    }

    @Test
    void aKeptPromiseGivesItsValue() throws Exception {
        assertThat(LabContext.await(Promises.resolved("probed"), "device 0 to be probed", 50)).isEqualTo("probed");
    }
}
