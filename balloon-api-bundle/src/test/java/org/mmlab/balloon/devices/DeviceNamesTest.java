package org.mmlab.balloon.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class DeviceNamesTest {
    /** A device as a driver bundle has one: a name, running or not. */
    static final class Dev {
        final String name;
        volatile boolean live = true;

        Dev(String name) {
            this.name = name;
        }
    }

    final DeviceNames<Dev> names = new DeviceNames<>("test balloon", d -> d.name, d -> d.live);

    @Test
    void aNameIsOneDevicesUntilItGivesItBack() {
        Dev first = new Dev("0");
        Dev second = new Dev("0");
        names.claim("0", first);

        assertThatThrownBy(() -> names.claim("0", second)).isInstanceOf(IllegalStateException.class)
                .hasMessage("test balloon '0' exists already: give this configuration another name");
        assertThat(names.release("0", second)).isFalse();
        assertThat(names.get("0")).containsSame(first);
        assertThat(names.release("0", first)).isTrue();
        names.claim("0", second);
        assertThat(names.get("0")).containsSame(second);
    }

    @Test
    void lookupsSeeRunningDevicesByNameUnlessTheyAskForOthers() {
        Dev b = new Dev("b");
        Dev a = new Dev("a");
        Dev starting = new Dev("c");
        starting.live = false;
        names.claim("b", b);
        names.claim("a", a);
        names.claim("c", starting);

        assertThat(names.all()).containsExactly(a, b);
        assertThat(names.all(d -> true)).containsExactly(a, b, starting);
        assertThat(names.get("c")).isEmpty();
        assertThat(names.any("c")).containsSame(starting);
        assertThat(names.names()).isEqualTo("a, b");
        assertThatThrownBy(() -> names.require("c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no test balloon 'c'; devices: a, b");
    }

    /**
     * The storm's `config` op orphaned a device under every setup: recreated on Configuration Admin's thread
     * while its bundle stopped, it was activated after SCR had deactivated the bundle's devices and was
     * never removed. The registry's close removes it, once its probe ended, and no device starts after.
     */
    @Test
    void whenTheBundleStopsADeviceSCRDidNotRemoveIsRemovedOnceItsProbeEndedAndNoneStartsAfter() throws Exception {
        Dev removedBySCR = new Dev("0");
        Dev activatedDuringTheStop = new Dev("1");
        Dev probing = new Dev("2");
        probing.live = false;
        names.claim("0", removedBySCR);
        names.claim("1", activatedDuringTheStop);
        names.claim("2", probing);
        names.release("0", removedBySCR);
        List<Dev> removedByClose = new ArrayList<>();
        Thread probe = new Thread(() -> probing.live = true); // the probe on Configuration Admin's thread ends

        probe.start();
        List<Dev> removed = names.close(d -> {
            removedByClose.add(d);
            names.release(d.name, d);
        }, 30_000);
        probe.join();

        assertThat(removed).containsExactlyInAnyOrder(activatedDuringTheStop, probing).isEqualTo(removedByClose);
        assertThat(names.all(d -> true)).isEmpty();
        assertThatThrownBy(() -> names.claim("3", new Dev("3"))).isInstanceOf(IllegalStateException.class)
                .hasMessage("test balloon '3' does not start: its driver is stopping");
    }

    @Test
    void aProbeThatFailsDuringTheStopIsNotRemoved() throws Exception {
        Dev failing = new Dev("0");
        failing.live = false;
        names.claim("0", failing);
        Thread probe = new Thread(() -> names.release("0", failing));

        probe.start();
        List<Dev> removed = names.close(d -> {
            throw new AssertionError("removed " + d.name);
        }, 30_000);
        probe.join();

        assertThat(removed).isEmpty();
    }

    @Test
    void noDeviceIsNone() {
        assertThat(names.names()).isEqualTo("none");
        assertThatThrownBy(() -> names.require("0")).hasMessage("no test balloon '0'; devices: none");
    }
}
