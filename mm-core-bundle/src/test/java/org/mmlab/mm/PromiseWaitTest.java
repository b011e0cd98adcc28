package org.mmlab.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promises;

/** What a command's bounded wait for a service's promise says when the work fails, or never ends. */
class PromiseWaitTest {

    @Test
    void aWaitThatRunsOutSaysWhatItWaitedFor() {
        // the promise's timeout fails it with org.osgi.util.promise.TimeoutException, which has no message:
        // the shell used to call that "a bug in the lab (at LabContext.java line 210)"
        assertThatThrownBy(() -> PromiseWait.within(new Deferred<String>().getPromise(), 50, "device 0 to be probed"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("waiting for device 0 to be probed: timed out after 50 ms (see the log: log warn)");
    }

    @Test
    void aFailedWaitThrowsTheFailure() {
        IllegalArgumentException why = new IllegalArgumentException("the gate refused it");

        assertThatThrownBy(() -> PromiseWait.within(Promises.failed(why), 50, "the guest to reboot")).isSameAs(why);
    }

    @Test
    void aCheckedFailureKeepsItsMessage() {
        IOException why = new IOException("no such device");

        assertThatThrownBy(() -> PromiseWait.within(Promises.failed(why), 50, "the guest to reboot"))
                .isInstanceOf(IllegalStateException.class).hasMessage("no such device").hasCause(why);
    }

    @Test
    void aKeptPromiseGivesItsValue() throws Exception {
        assertThat(PromiseWait.within(Promises.resolved("probed"), 50, "device 0 to be probed")).isEqualTo("probed");
    }
}
