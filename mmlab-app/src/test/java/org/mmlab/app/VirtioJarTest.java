package org.mmlab.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported lab has the default virtio-balloon device "0" from its first second: a fresh lab
 * inflates it to 1 GiB from a one-line program (the acceptance of issue 4), and the host agrees; a
 * target the guest cannot give ends the program with why.
 */
class VirtioJarTest {
    @TempDir
    Path dir;

    @Test
    void aFreshLabInflatesDeviceZeroToOneGigabyteAndTheHostHoldsExactlyThat() throws Exception {
        LabRun.Run run = run("virtio:target 0 1G; virtio:host 0; virtio:target 0 0; mm:check");

        assertThat(run.exitValue()).as(run.toString()).isZero();
        assertThat(run.stdout()).contains("device 0: 262144 pages (1 GiB) in the balloon, host holds 262144")
                .containsPattern("(?m)^held\\s+262144 frames$")
                .contains("device 0: 0 pages")
                .contains("mm:check: OK");
    }

    /**
     * Issue 10, item 3: the workload needs the memory the host asks for, so the OOM notifier deflates what
     * the driver inflates; virtio:target used to wait for ever, and now ends the script with why.
     */
    @Test
    void aTargetTheOomNotifierKeepsDeflatingEndsTheScriptWithWhy() throws Exception {
        LabRun.Run run = run("mm:workload start; virtio:target 0 3900M; mm:check");

        assertThat(run.exitValue()).as(run.toString()).isOne();
        assertThat(run.stdout() + run.stderr()).containsPattern("device 0 stopped at \\d+ of 998400 pages: the OOM"
                + " notifier keeps deflating the balloon \\(DEFLATE_ON_OOM\\)")
                .doesNotContain("mm:check:");
    }

    private LabRun.Run run(String commands) throws Exception {
        return LabRun.run(dir, commands);
    }
}
