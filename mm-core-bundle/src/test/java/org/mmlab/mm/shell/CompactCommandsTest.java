package org.mmlab.mm.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.internal.MmCheck;
import org.mmlab.mm.internal.MmCore;

/** mm:compact and mm:kcompactd on a booted mm-core, outside the framework: what they print and refuse. */
class CompactCommandsTest {
    private MmCore core;

    private static CompactCommands commands(MmCore core) {
        return BootedCore.compactCommands(BootedCore.running(core));
    }

    @AfterEach
    void shutDown() {
        BootedCore.shutDown(core);
    }

    @Test
    void compactOnAFragmentedGuestPrintsBuddyinfoAndBothSharesBeforeAndAfterAndWhatItMoved() throws Exception {
        core = BootedCore.boot("256M");
        core.guest().compaction().kcompactd().stop(); // only mm:compact compacts in this story
        core.workload().fragment(1, 5);
        CompactCommands cmd = commands(core);

        String out = BootedCore.run(() -> cmd.compact("", ""));

        assertThat(out).startsWith("compact_memory: every zone, whole, mode sync\nbefore:\nNode 0, zone    DMA32 ");
        assertThat(out).containsSubsequence("before:", "free in order>=9 blocks: ", "best the layout allows: ", "after:",
                "Node 0, zone    DMA32 ", "free in order>=9 blocks: ", "scanned: ", "isolated: ", "migrated: ",
                "failed: ", "result:   DMA32: complete in ");
        assertThat(MmCheck.run(core.guest(), core.workload()).verdict()).isEqualTo("mm:check: OK");
    }

    @Test
    void compactForAnOrderRunsInTheModeGiven() throws Exception {
        core = BootedCore.boot("64M");
        CompactCommands cmd = commands(core);

        String out = BootedCore.run(() -> cmd.compact("9", "async"));

        // a fresh guest has free 2 MiB blocks: the watermark check says the allocation would succeed already
        assertThat(out).startsWith("compaction for order 9 in every zone, mode async\n");
        assertThat(out).contains("result:   DMA32: success");
    }

    @Test
    void badArgumentsAreRefusedWithWhatIsAllowed() throws Exception {
        core = BootedCore.boot("64M");
        CompactCommands cmd = commands(core);

        assertThatThrownBy(() -> cmd.compact("0", "")).hasMessageContaining("order 0 needs no compaction");
        assertThatThrownBy(() -> cmd.compact("11", "")).hasMessageContaining("outside 0..10");
        assertThatThrownBy(() -> cmd.compact("nine", "")).hasMessageContaining("is not an order");
        assertThatThrownBy(() -> cmd.compact("", "fast")).hasMessageContaining("use async, sync-light or sync");
        assertThatThrownBy(() -> cmd.kcompactd("wake")).hasMessageContaining("use status, start, stop or proactiveness N");
        assertThatThrownBy(() -> cmd.kcompactd("proactiveness", "101")).hasMessageContaining("out of range: give 0 to 100");
        assertThatThrownBy(() -> cmd.kcompactd("proactiveness", "lots")).hasMessageContaining("give 0 to 100");
        assertThatThrownBy(() -> cmd.kcompactd("status", "5")).hasMessageContaining("takes no value");
        assertThat(core.guest().compaction().compactionProactiveness()).isEqualTo(20);
    }

    @Test
    void kcompactdStatusStopStartAndProactiveness() throws Exception {
        core = BootedCore.boot("64M");
        CompactCommands cmd = commands(core);

        assertThat(BootedCore.run(() -> cmd.kcompactd("status"))).startsWith("kcompactd0: running\ncompaction_proactiveness 20"
                + " (score watermarks: low 80, high 90), extfrag_threshold 500\n");
        assertThat(BootedCore.run(() -> cmd.kcompactd("stop"))).startsWith("kcompactd0: stopped\n");
        assertThat(core.guest().compaction().kcompactd().running()).isFalse();
        assertThat(BootedCore.run(() -> cmd.kcompactd("proactiveness", "0"))).contains("compaction_proactiveness 0 (score"
                + " watermarks: low 100, high 100)");
        assertThat(BootedCore.run(() -> cmd.kcompactd("start"))).startsWith("kcompactd0: running\n")
                .contains("sleep: until woken (proactiveness 0)");
        assertThat(BootedCore.run(() -> cmd.kcompactd("proactiveness"))).isEqualTo("compaction_proactiveness 0\n");
    }

    @Test
    void withoutAGuestTheCommandsSaySo() {
        CompactCommands cmd = commands(null);
        assertThatThrownBy(() -> cmd.kcompactd("status")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no guest is running");
    }

    @Test
    void modeNamesAreTheKernelsEnumSpelledForTheShell() {
        assertThat(CompactCommands.mode("sync-light")).isEqualTo(MigrateMode.SYNC_LIGHT);
        assertThat(CompactCommands.mode("ASYNC")).isEqualTo(MigrateMode.ASYNC);
        assertThat(CompactCommands.modeName(MigrateMode.SYNC_LIGHT)).isEqualTo("sync-light");
    }
}
