package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.itest.MmOutput.lastLine;

import java.util.Map;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmlab.vmware.VmwBalloons;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The VMware balloon in a running lab, driven from the shell as a user drives it: a 1 GiB balloon of
 * 2 MiB pages, the vmmemctl statistics, and a hypervisor that refuses, answers BUSY, resets its balloon,
 * drops its doorbell or asks for more than the guest has; bad commands are one line and change nothing.
 */
@ExtendWith(ServiceExtension.class)
class VmwInFelixTest {
    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    CommandProcessor processor;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    ConfigurationAdmin cm;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    VmwBalloons vmw;

    @RegisterExtension
    final FreshGuestSetup guest = new FreshGuestSetup();

    GogoSession gogo;
    VmwLab lab;

    @BeforeEach
    void vmwDeviceZeroOnTheFreshGuest() throws Exception {
        gogo = new GogoSession(processor);
        lab = new VmwLab(cm, vmw);
        lab.create("0", Map.of());
    }

    @AfterEach
    void deleteTheDeviceAndCheck() throws Exception {
        try {
            gogo.run("vmw:host 0 normal");
            lab.deleteAll();
            assertThat(gogo.run("balloon:list")).doesNotContain("vmw-balloon");
            assertThat(guest.check()).isEqualTo("mm:check: OK");
        } finally {
            gogo.close();
        }
    }

    @Test
    void vmwTargetInflatesWith2MPagesAndEveryCommandShowsIt() throws Exception {
        assertThat(gogo.run("vmw:target 0 1G")).contains("device 0: 262144 frames (1 GiB) in the balloon: 512 2M pages"
                + " + 0 4k pages, hypervisor holds 262144");

        assertThat(gogo.run("vmw:devices")).containsPattern("(?m)^0\\s+262144\\s+262144\\s+0\\s+512\\s+262144 2M ");
        assertThat(gogo.run("balloon:list")).containsPattern("vmw-balloon 0 .* vmware-bundle \\[\\d+\\]");
        assertThat(gogo.run("vmw:host 0")).containsPattern("(?m)^held\\s+262144 frames$");
        String check = gogo.run("mm:check");
        assertThat(check).contains("vmw 0: size 262144 frames (0 4k pages, 0 isolated; 512 2M pages)");
        assertThat(lastLine(check)).isEqualTo("mm:check: OK");
        gogo.run("vmw:status 0"); // enables the statistics
        assertThat(gogo.run("vmw:target 0 0")).contains("device 0: 0 frames");
        assertThat(gogo.run("vmw:status 0")).startsWith("balloon capabilities  :             0x3e\n")
                .contains("current               :                0\n")
                .contains("2m-unlock             :                1 (0 failed)\n")
                .contains("free              (2M):              512\n");
    }

    @Test
    void badArgumentsAreOneLineErrorsThatChangeNothing() throws Exception {
        gogo.run("vmw:target 0 16M");
        for (String bad : new String[] {"vmw:target 7 1G", "vmw:target 0 12x", "vmw:target 0 99T", "vmw:target 0 6K",
            "vmw:host 0 sleepy", "vmw:host 0 refuse 150", "vmw:host 0 target", "vmw:host 0 reset now", "vmw:status 9"}) {
            assertThatThrownBy(() -> gogo.run(bad)).as(bad).satisfies(e -> {
                String message = GogoSession.rootCause(e).getMessage();
                assertThat(message).doesNotContain("\n").doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z]");
            });
        }
        assertThatThrownBy(() -> gogo.run("vmw:host 0 sleepy")).satisfies(e -> assertThat(GogoSession.rootCause(e))
                .hasMessage("'sleepy' is not a hypervisor behaviour: use normal, refuse PCT (0..100), busy, no-doorbell,"
                        + " reset or target SIZE"));
        assertThatThrownBy(() -> gogo.run("vmw:target 7 1G")).satisfies(e -> assertThat(GogoSession.rootCause(e))
                .hasMessage("no VMware balloon '7'; devices: 0"));
        assertThat(vmw.device("0").orElseThrow().hostTarget()).isEqualTo(4096);
        assertThat(vmw.device("0").orElseThrow().behaviour()).isEqualTo("normal");
    }

    @Test
    void aHypervisorThatRefusesEveryPageEndsVmwTargetWithWhy() throws Exception {
        gogo.run("vmw:host 0 refuse 100");

        assertThatThrownBy(() -> gogo.run("vmw:target 0 64M")).satisfies(e -> assertThat(GogoSession.rootCause(e))
                .hasMessageStartingWith("device 0 stopped at 0 of 16384 frames: the hypervisor refuses pages"
                        + " (ERROR_PPN_PINNED"));

        assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
        gogo.run("vmw:host 0 normal");
        assertThat(gogo.run("vmw:target 0 64M")).contains("device 0: 16384 frames");
    }

    @Test
    void aHypervisorThatAnswersBusyKeepsTheBalloonAndVmwTargetSaysSo() throws Exception {
        gogo.run("vmw:target 0 64M");
        gogo.run("vmw:host 0 busy");

        assertThatThrownBy(() -> gogo.run("vmw:target 0 0")).satisfies(e -> assertThat(GogoSession.rootCause(e))
                .hasMessageStartingWith("device 0 stopped at 16384 of 0 frames: the hypervisor answers BUSY"));

        assertThat(vmw.device("0").orElseThrow().hostHeld()).isEqualTo(16_384);
        assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
        gogo.run("vmw:host 0 normal");
        assertThat(gogo.run("vmw:target 0 0")).contains("device 0: 0 frames");
    }

    @Test
    void aHypervisorResetPopsTheBalloonAndTheDriverStartsAgainAndInflatesBack() throws Exception {
        gogo.run("vmw:target 0 64M");
        gogo.run("vmw:status 0");

        assertThat(gogo.run("vmw:host 0 reset")).contains("the hypervisor reset its balloon and gave 16384 frames back");

        Await.until("the driver reset and inflated back", () -> gogo.run("vmw:status 0")
                .contains("reset                 :                1\n") && vmw.device("0")
                .filter(s -> !s.resetting() && s.size() == 16_384 && s.hostHeld() == 16_384).isPresent());
        assertThat(vmw.device("0").orElseThrow().batchPages()).as("a new batch page, the old one kept").isEqualTo(2);
        assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
    }

    @Test
    void withoutItsDoorbellTheHypervisorIsHeardAtTheDriversNextTick() throws Exception {
        gogo.run("vmw:host 0 no-doorbell");

        assertThat(gogo.run("vmw:target 0 16M")).contains("device 0: 4096 frames");

        assertThat(gogo.run("vmw:host 0")).contains("doorbell      set, rung 0 times");
    }

    @Test
    void aTargetBeyondTheGuestInflatesAsFarAsTheGuestCanGive() throws Exception {
        assertThat(gogo.run("vmw:host 0 target 5G")).contains("the hypervisor asks for 1310720 frames (5 GiB)");

        Await.until("the guest out of pages to give", () -> gogo.run("vmw:status 0").contains("allocFail")
                && vmw.device("0").orElseThrow().size() > 700_000 && !gogo.run("vmw:status 0")
                .contains("allocFail         (4k):                0\n"));

        assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
        assertThat(gogo.run("vmw:target 0 0")).contains("device 0: 0 frames");
    }
}
