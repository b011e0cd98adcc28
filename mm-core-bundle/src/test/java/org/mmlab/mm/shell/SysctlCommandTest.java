package org.mmlab.mm.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmlab.mm.internal.MmCore;
import org.mmlab.mm.internal.SysctlsComponent;

/** mm:sysctl on a booted mm-core, outside the framework: what it prints, writes and refuses. */
class SysctlCommandTest {
    private final MmCore core = BootedCore.boot("64M");
    private final SysctlCommand cmd = new SysctlCommand(new SysctlsComponent(BootedCore.running(core)));

    @AfterEach
    void shutDown() {
        BootedCore.shutDown(core);
    }

    @Test
    void aWriteIsPrintedAsSysctlPrintsIt() {
        assertThat(BootedCore.run(() -> cmd.sysctl("vm.extfrag_threshold", "374")))
                .isEqualTo("vm.extfrag_threshold = 374\n");
        assertThat(BootedCore.run(() -> cmd.sysctl("vm.extfrag_threshold"))).isEqualTo("vm.extfrag_threshold = 374\n");
    }

    @Test
    void aBadNameOrValueSaysWhatIsAllowedAndChangesNothing() {
        assertThatThrownBy(() -> cmd.sysctl("vm.nope", "x"))
                .hasMessageStartingWith("'vm.nope' is not a sysctl of the lab");
        assertThatThrownBy(() -> cmd.sysctl("vm.extfrag_threshold", "-1"))
                .hasMessage("vm.extfrag_threshold -1 is out of range: give 0 to 2147483647");
        assertThatThrownBy(() -> cmd.sysctl("vm.extfrag_threshold", "1e3"))
                .hasMessage("vm.extfrag_threshold '1e3' is not a whole number: give 0 to 2147483647");
        assertThatThrownBy(() -> cmd.sysctl("vm.extfrag_threshold", "1001"))
                .hasMessage("vm.extfrag_threshold 1001 is outside 0..1000");

        assertThat(BootedCore.run(() -> cmd.sysctl("vm.extfrag_threshold"))).isEqualTo("vm.extfrag_threshold = 500\n");
    }
}
