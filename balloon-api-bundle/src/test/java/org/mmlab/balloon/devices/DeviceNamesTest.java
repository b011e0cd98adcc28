package org.mmlab.balloon.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceNamesTest {
    /** A device as a driver bundle has one: a name, running or not. */
    static final class Dev {
        final String name;
        boolean live = true;

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

    @Test
    void noDeviceIsNone() {
        assertThat(names.names()).isEqualTo("none");
        assertThatThrownBy(() -> names.require("0")).hasMessage("no test balloon '0'; devices: none");
    }
}
