package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.lab.DebugSwitches.Switch;

/** Every switch of mm:debug, switched through the DebugSwitches service, is what the guest then runs with. */
class DebugSwitchesComponentTest {
    private final MmCore core = HostFramesTest.boot();
    private final DebugSwitchesComponent switches = new DebugSwitchesComponent(RunningGuest.of(core));

    @Test
    void eachSwitchTurnsOffAndOnAgainAloneAndTheStateSaysSo() {
        for (Switch s : Switch.values()) {
            Map<Switch, Boolean> before = switches.state().switches();
            Map<Switch, Boolean> flipped = new EnumMap<>(before);
            flipped.put(s, !before.get(s));

            switches.set(s, !before.get(s));

            assertThat(switches.state().switches()).as("after switching %s", s).isEqualTo(flipped);
            assertThat(guestRunsWith(s)).as(s.value()).isEqualTo(!before.get(s));
            switches.set(s, before.get(s));
            assertThat(guestRunsWith(s)).as(s.value()).isEqualTo(before.get(s));
        }
    }

    @Test
    void kasansQuarantineIsSizedAndABadSizeChangesNothing() {
        switches.setKasanQuarantine(3);
        assertThat(switches.state().kasanQuarantine()).isEqualTo(3);

        assertThatThrownBy(() -> switches.setKasanQuarantine(5000)).hasMessageContaining("0 (reuse at once)");
        assertThat(core.guest().debug().kasan().quarantineSize()).isEqualTo(3);
    }

    @Test
    void aSwitchIsNamedAsMmDebugNamesItAndAnUnknownOneSaysWhichThereAre() {
        assertThat(Switch.parse("unlesszero")).isEqualTo(Switch.UNLESSZERO);
        assertThatThrownBy(() -> Switch.parse("wmb")).hasMessage("no checker 'wmb': use vm, list, unload, lockdep,"
                + " kasan, kasan-quarantine, weakmem, retest, unlesszero or pcp");
    }

    /** The guest's own state of the switch, read past the service. */
    private boolean guestRunsWith(Switch s) {
        GuestMemory g = core.guest();
        return switch (s) {
            case VM -> g.debug().debugVm();
            case LIST -> g.debug().debugList();
            case UNLOAD -> g.unloadChecker();
            case LOCKDEP -> g.debug().lockdep().on();
            case KASAN -> g.debug().kasan().on();
            case WEAKMEM -> g.weakMemory();
            case RETEST -> g.debug().isolateRetest();
            case UNLESSZERO -> g.debug().isolateUnlessZero();
            case PCP -> g.pcpEnabled();
        };
    }
}
