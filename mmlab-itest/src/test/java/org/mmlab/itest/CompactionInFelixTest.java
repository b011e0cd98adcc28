package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.admin.CompactStats;
import org.mmlab.mm.admin.Compactor;
import org.mmlab.mm.admin.Fragmentation;
import org.mmlab.mm.admin.GuestCheck;
import org.mmlab.mm.admin.GuestConfig;
import org.mmlab.mm.admin.GuestViews;
import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.mm.lab.DebugSwitches;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Compaction on the default 4 GiB guest, through the services mm:compact and mm:workload are made of:
 * on memory that the workload's fragment left as a long uptime does (issue 3's acceptance numbers), and
 * beside a workload running on two threads. Each test boots a fresh default guest and stops kcompactd,
 * so that only the test compacts.
 */
@ExtendWith(ServiceExtension.class)
class CompactionInFelixTest {
    private static final long WAIT_MS = 10_000;

    @InjectService(timeout = WAIT_MS)
    GuestConfig config;

    @InjectService(timeout = WAIT_MS)
    Compactor compactor;

    @InjectService(timeout = WAIT_MS)
    WorkloadControl workload;

    @InjectService(timeout = WAIT_MS)
    GuestViews views;

    @InjectService(timeout = WAIT_MS)
    GuestCheck checker;

    @InjectService(timeout = WAIT_MS)
    DebugSwitches debug;

    long memFreeAtBoot;

    @BeforeEach
    void bootTheDefaultGuestAndStopKcompactd() throws Exception {
        FreshGuest.boot(config, MigrationContract.MOVABLE_OPS_2025);
        compactor.stopKcompactd();
        memFreeAtBoot = memFreeKb();
    }

    @AfterEach
    void stopTheWorkloadAndStartKcompactdAgain() {
        try {
            workload.stop();
            assertThat(memFreeKb()).as("MemFree once the workload stopped").isEqualTo(memFreeAtBoot);
            assertThat(debug.state().reports()).as("checker reports; dmesg:%n%s", String.join("\n", views.dmesg()))
                    .isZero();
        } finally {
            compactor.startKcompactd();
        }
    }

    private long memFreeKb() {
        return views.meminfo().get("MemFree");
    }

    @Test
    void compactingAFragmentedGuestGathersAtLeast80PercentOfWhatTheLayoutAllowsInto2MiBBlocks() {
        assertThat(workload.fragment(1, WorkloadControl.DEFAULT_FRAGMENT_PROCESSES, 5).reached()).isTrue();

        Fragmentation before = views.fragmentation();
        compactor.compactMemory(MigrateMode.SYNC);
        Fragmentation after = views.fragmentation();

        System.out.printf("compact_memory on the fragmented 4 GiB guest%n  before: %s%n  after:  %s%n",
                before.describe(), after.describe());
        assertThat(before.order9Share()).as(before.describe()).isLessThan(0.05);
        double best = Math.max(before.bestShare(), after.bestShare());
        assertThat(after.order9Share()).as("%s, at least 80%% of the best (%.3f)", after.describe(), best)
                .isGreaterThanOrEqualTo(0.80 * best);
        assertThat(after.freePages()).as("compaction neither frees nor takes memory").isEqualTo(before.freePages());
        assertThat(checker.check().verdict()).isEqualTo("mm:check: OK");
    }

    @Test
    void compactionBesideATwoThreadWorkloadLosesNeitherPagesNorData() throws Exception {
        workload.start(7, 32, 2048, 2);
        Await.until("the workload mapping 16384 pages", () -> workload.status().mappedPages() >= 16_384);

        long migrated = 0;
        for (MigrateMode mode : List.of(MigrateMode.ASYNC, MigrateMode.SYNC_LIGHT, MigrateMode.SYNC)) {
            CompactStats s = compactor.compactMemory(mode);
            System.out.printf("compact_memory in mode %s beside the workload: %d pages migrated%n", mode, s.migrated());
            migrated += s.migrated();
            assertThat(checker.check().verdict()).as("mm:check beside the workload, after %s", mode)
                    .isEqualTo("mm:check: OK");
        }
        WorkloadControl.Status stopped = workload.stop();

        assertThat(migrated).as("pages compaction migrated from under the workload").isPositive();
        assertThat(stopped.dataLoss()).as("data loss").isZero();
        assertThat(checker.check().verdict()).isEqualTo("mm:check: OK");
        assertThat(memFreeKb()).as("MemFree, every page back").isEqualTo(memFreeAtBoot);
    }
}
