package org.mmlab.vmware.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A device's configuration: every bad value is refused in one line that names what is allowed. */
class DeviceConfigTest {
    private static DeviceConfig parse(String target, String caps, String behaviour, String migratepage) {
        return DeviceConfig.parse("", "org.mmlab.vmware.balloon~0", target, caps, behaviour, false, migratepage);
    }

    @Test
    void theDefaultsAreEveryCapabilityANormalHypervisorAndThe2026Migratepage() {
        DeviceConfig c = parse("1G", DeviceConfig.ALL_CAPABILITIES, "normal", "enoent");

        assertThat(c.name()).isEqualTo("0");
        assertThat(c.hostTarget()).isEqualTo(262_144);
        assertThat(c.offered()).isEqualTo(Protocol.VMW_BALLOON_CAPABILITIES);
        assertThat(c.behaviour()).isEqualTo(HostBehaviour.NORMAL);
        assertThat(c.migrateVersion()).isEqualTo(MigrateVersion.ENOENT);
    }

    @Test
    void badValuesAreRefusedWithWhatIsAllowed() {
        assertThatThrownBy(() -> parse("12x", DeviceConfig.ALL_CAPABILITIES, "normal", "enoent"))
                .hasMessage("hostTarget=12x: '12x' is not a size: give pages (e.g. 262144) or a size such as 512M or 1G");
        assertThat(parse("1000", "none", "normal", "enoent").hostTarget()).as("frames").isEqualTo(1000);
        assertThatThrownBy(() -> parse("6K", DeviceConfig.ALL_CAPABILITIES, "normal", "enoent"))
                .hasMessageContaining("not a whole number of 4 KiB pages");
        assertThatThrownBy(() -> parse("0", "BASIC_CMDS,HUGE", "normal", "enoent"))
                .hasMessage("hostCapabilities=BASIC_CMDS,HUGE: 'HUGE' is not a capability: use BASIC_CMDS,"
                        + " BATCHED_CMDS, BATCHED_2M_CMDS, SIGNALLED_WAKEUP_CMD, 64_BIT_TARGET (comma-separated), or none");
        assertThatThrownBy(() -> parse("0", "", "sleepy", "enoent"))
                .hasMessage("hostBehaviour=sleepy: 'sleepy' is not a hypervisor behaviour: use normal, refuse PCT"
                        + " (0..100), busy or no-doorbell");
        assertThatThrownBy(() -> new DeviceRegistry().setHostBehaviour("0", "x")).hasMessageContaining("devices: none");
        assertThatThrownBy(() -> parse("0", "", "refuse 120", "enoent"))
                .hasMessage("hostBehaviour=refuse 120: refuse 120: the share is 0..100 (per cent)");
        assertThatThrownBy(() -> parse("0", "", "normal", "v6.17"))
                .hasMessage("migratepage=v6.17: must be enoent, success or ebusy");
        assertThatThrownBy(() -> DeviceConfig.parse("a b", null, "0", "", "normal", false, "enoent"))
                .hasMessageContaining("a device name is 1 to 32 letters");
    }

    @Test
    void aBehaviourPrintsAsItIsTyped() {
        assertThat(HostBehaviour.parse("refuse 30%").toString()).isEqualTo("refuse 30%");
        assertThat(HostBehaviour.parse(" BUSY ").toString()).isEqualTo("busy");
        assertThat(HostBehaviour.parse("no-doorbell").noDoorbell()).isTrue();
        assertThatThrownBy(() -> HostBehaviour.parse("refuse lots"))
                .hasMessage("'refuse lots': refuse needs a share in per cent, e.g. refuse 30");
    }
}
