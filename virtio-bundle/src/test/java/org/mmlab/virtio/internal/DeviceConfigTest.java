package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A device's configuration and the sizes commands take: bad values are refused with what is allowed. */
class DeviceConfigTest {

    private static DeviceConfig parse(String features, String target, long delay, String misbehaviour, long timeout) {
        return DeviceConfig.parse("", "org.mmlab.virtio.balloon~3", -1, features, target, delay, misbehaviour, timeout);
    }

    @Test
    void theNameAndIndexComeFromTheFactoryConfigurationsName() {
        DeviceConfig c = parse(Features.DEFAULT_OFFER, "512M", 0, "normal", 5000);

        assertThat(c.name()).isEqualTo("3");
        assertThat(c.index()).isEqualTo(3);
        assertThat(c.hostTarget()).isEqualTo(131072);
    }

    @Test
    void sizesArePagesOrBytesInWholePages() {
        assertThat(DeviceConfig.pages("1G")).isEqualTo(262144);
        assertThat(DeviceConfig.pages("512M")).isEqualTo(131072);
        assertThat(DeviceConfig.pages("4097")).isEqualTo(4097);
        assertThatThrownBy(() -> DeviceConfig.pages("6K")).hasMessageContaining("whole number of 4 KiB pages");
        assertThatThrownBy(() -> DeviceConfig.pages("12Q")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> DeviceConfig.pages("-1")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> DeviceConfig.pages("16T")).hasMessageContaining("__le32");
    }

    @Test
    void eachBadPropertyIsNamedWithWhatIsAllowed() {
        assertThatThrownBy(() -> parse("STATS,FOO", "0", 0, "normal", 5000)).hasMessageStartingWith("offeredFeatures=");
        assertThatThrownBy(() -> parse("", "lots", 0, "normal", 5000)).hasMessageStartingWith("hostTarget=lots");
        assertThatThrownBy(() -> parse("", "0", -1, "normal", 5000)).hasMessageStartingWith("hostAckDelayMs=-1");
        assertThatThrownBy(() -> parse("", "0", 0, "sulk", 5000)).hasMessageContaining("normal or no-ack");
        assertThatThrownBy(() -> parse("", "0", 0, "normal", 0)).hasMessageStartingWith("ackTimeoutMs=0");
        assertThatThrownBy(() -> DeviceConfig.parse("a b", null, -1, "", "0", 0, "normal", 1))
                .hasMessageContaining("device name");
        assertThatThrownBy(() -> DeviceConfig.parse("x", null, 1000, "", "0", 0, "normal", 1))
                .hasMessageContaining("0..999");
    }

    @Test
    void hostBehaviourParses() {
        assertThat(HostMisbehaviour.parse("ack-delay 50").ackDelayMs()).isEqualTo(50);
        assertThat(HostMisbehaviour.parse("no-ack").noAck()).isTrue();
        assertThat(HostMisbehaviour.parse("normal")).isEqualTo(HostMisbehaviour.NORMAL);
        assertThatThrownBy(() -> HostMisbehaviour.parse("ack-delay soon")).hasMessageContaining("milliseconds");
        assertThatThrownBy(() -> HostMisbehaviour.parse("ack-delay 999999")).hasMessageContaining("outside");
        assertThatThrownBy(() -> HostMisbehaviour.parse("grumpy")).hasMessageContaining("normal, no-ack or ack-delay");
    }

    @Test
    void aSecondDeviceWithTheSameNameFailsAndLeavesTheFirstAlone() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice first = g.device("0");
            g.inflateTo(first, 100);

            assertThatThrownBy(() -> g.device("0")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exists already");
            assertThat(g.registry.get("0")).containsSame(first);
            assertThat(first.driver().numPages()).isEqualTo(100);
            assertThat(g.balloons.devs).hasSize(1);
        }
    }
}
