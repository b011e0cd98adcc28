package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.util.promise.Promise;

/** The promise of the guest a configuration change boots: kept by that guest, or broken by the gate's refusal. */
class RunningGuestTest {
    private final RunningGuest guests = new RunningGuest();
    private MmCore first;
    private MmCore second;

    @AfterEach
    void shutDown() {
        for (MmCore c : new MmCore[] {first, second}) {
            if (c != null) {
                c.guest().compaction().kcompactd().stop();
            }
        }
    }

    /** A guest as DS activates it from PID org.mmlab.mm.boot, tagged with the change it was admitted from. */
    private static MmCore booted(long change) {
        MmCore.Config small = (MmCore.Config) Proxy.newProxyInstance(MmCore.Config.class.getClassLoader(),
                new Class<?>[] {MmCore.Config.class},
                (proxy, method, args) -> "memorySize".equals(method.getName()) ? "64M" : method.getDefaultValue());
        return new MmCore(small, Map.of(MmCore.CHANGE_COUNT, change), null, null);
    }

    @Test
    void withoutAGuestTheServicesSaySo() {
        assertThatThrownBy(guests::get).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("no guest is running: mm-core did not boot one");
        assertThat(guests.orNull()).isNull();
    }

    @Test
    void aChangesPromiseIsKeptByTheGuestBootedFromItNotByAnEarlierOne() throws Exception {
        Promise<MmCore> third = guests.booted(3);

        first = booted(2); // a reboot from an earlier change, still in Configuration Admin's queue
        guests.bind(first);
        assertThat(third.isDone()).isFalse();
        guests.unbind(first);
        assertThat(guests.orNull()).isNull();
        second = booted(3);
        guests.bind(second);

        assertThat(third.getValue()).isSameAs(second);
        assertThat(guests.get()).isSameAs(second);
        assertThat(guests.booted(3).getValue()).as("a change the running guest booted from already").isSameAs(second);
    }

    @Test
    void aChangeTheGateRefusesBreaksItsPromiseWithWhyAndLeavesLaterOnesWaiting() throws Exception {
        Promise<MmCore> refused = guests.booted(4);
        Promise<MmCore> later = guests.booted(5);

        guests.refused(4, "memorySize=3M: must be a multiple of 2M");

        assertThat(refused.getFailure()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memorySize=3M: must be a multiple of 2M");
        assertThat(later.isDone()).isFalse();
    }
}
