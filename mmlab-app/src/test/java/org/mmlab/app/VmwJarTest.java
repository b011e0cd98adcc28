package org.mmlab.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported lab has the default VMware balloon "0" beside virtio's from its first second: a one-line
 * program inflates it to 1 GiB of 2 MiB pages, the balloon infrastructure lists both drivers' devices,
 * and mm:check agrees; a command without its device's name says which devices there are.
 */
class VmwJarTest {
    @TempDir
    Path dir;

    @Test
    void aFreshLabInflatesVmwDeviceZeroToOneGigabyteBesideVirtiosDevice() throws Exception {
        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.commands=vmw:devices; vmw:target 0 1G; balloon:list; mm:check");

        assertThat(run.exit()).as("stdout:%n%s%nstderr:%n%s", run.out(), run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^DEVICE .*\\n0 ")
                .contains("device 0: 262144 frames (1 GiB) in the balloon: 512 2M pages + 0 4k pages, hypervisor holds"
                        + " 262144")
                .containsPattern("virtio-balloon 0 .* virtio-bundle \\[\\d+\\]")
                .containsPattern("vmw-balloon 0 .* vmware-bundle \\[\\d+\\]")
                .contains("vmw 0: size 262144 frames (0 4k pages, 0 isolated; 512 2M pages)")
                .contains("mm:check: OK");
    }

    @Test
    void aDeviceThatDoesNotExistEndsTheProgramWithTheDevicesThereAre() throws Exception {
        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.commands=vmw:target 5 1G; mm:check");

        assertThat(run.exit()).as("stdout:%n%s%nstderr:%n%s", run.out(), run.err()).isOne();
        assertThat(run.out() + run.err()).contains("no VMware balloon '5'; devices: 0")
                .doesNotContain("mm:check:");
    }
}
