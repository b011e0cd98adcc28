package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The vm sysctls through the Sysctls service: each written through its handler into the running guest. */
class SysctlsComponentTest {
    private final MmCore core = HostFramesTest.boot();
    private final SysctlsComponent sysctls = new SysctlsComponent(RunningGuest.of(core));

    @Test
    void aBootedGuestHasTheKernelsDefaults() {
        assertThat(sysctls.values()).isEqualTo(Map.of("vm.compaction_proactiveness", 20, "vm.extfrag_threshold", 500,
                "vm.percpu_pagelist_high_fraction", 0));
    }

    @Test
    void aWriteReachesTheGuest() {
        sysctls.set("vm.extfrag_threshold", 374);
        sysctls.set("vm.compaction_proactiveness", 0);
        sysctls.set("vm.percpu_pagelist_high_fraction", 100);

        Compaction c = core.guest().compaction();
        assertThat(c.extfragThreshold()).isEqualTo(374);
        assertThat(c.compactionProactiveness()).isZero();
        assertThat(core.guest().allocator().pcp.percpuPagelistHighFraction()).isEqualTo(100);
        assertThat(sysctls.get("vm.extfrag_threshold")).isEqualTo(374);
    }

    @Test
    void aValueItsHandlerRefusesChangesNothing() {
        assertThatThrownBy(() -> sysctls.set("vm.percpu_pagelist_high_fraction", 7))
                .hasMessage("vm.percpu_pagelist_high_fraction is 0 or at least 8, not 7");
        assertThatThrownBy(() -> sysctls.set("vm.extfrag_threshold", 1001)).hasMessageContaining("0..1000");
        assertThatThrownBy(() -> sysctls.set("vm.compaction_proactiveness", -1)).hasMessageContaining("0..100");

        assertThat(sysctls.values()).containsEntry("vm.percpu_pagelist_high_fraction", 0)
                .containsEntry("vm.extfrag_threshold", 500).containsEntry("vm.compaction_proactiveness", 20);
    }

    @Test
    void anUnknownNameSaysWhichThereAre() {
        assertThatThrownBy(() -> sysctls.get("vm.swappiness")).hasMessage("'vm.swappiness' is not a sysctl of the lab:"
                + " give one of vm.compaction_proactiveness, vm.extfrag_threshold, vm.percpu_pagelist_high_fraction");
        assertThatThrownBy(() -> sysctls.set("extfrag_threshold", 1)).hasMessageStartingWith("'extfrag_threshold' is not");
    }
}
