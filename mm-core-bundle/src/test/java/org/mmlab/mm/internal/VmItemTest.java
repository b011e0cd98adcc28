package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.NodeStat;
import org.mmlab.mm.VmEvent;

/** A driver's counter lands in the /proc/vmstat item of the same kernel name. */
class VmItemTest {

    @Test
    void everyDriverEventAndNodeStatHasTheItemOfItsKernelName() {
        for (VmEvent e : VmEvent.values()) {
            assertThat(VmItem.of(e).kernelName()).isEqualTo(e.kernelName());
            assertThat(VmItem.of(e).kind()).isEqualTo(VmItem.Kind.EVENT);
        }
        for (NodeStat s : NodeStat.values()) {
            assertThat(VmItem.of(s).kernelName()).isEqualTo(s.kernelName());
            assertThat(VmItem.of(s).kind()).isEqualTo(VmItem.Kind.NODE);
        }
    }
}
