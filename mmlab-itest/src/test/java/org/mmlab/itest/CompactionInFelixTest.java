package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.itest.MmOutput.lastLine;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mmlab.mm.MigrationContract;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * mm:compact on the default 4 GiB guest, as a user runs it in the shell: on memory that
 * mm:workload fragment left as a long uptime does (issue 3's acceptance numbers), and beside a
 * workload running on two threads. Each test boots a fresh default guest and stops kcompactd, so
 * that only the test compacts.
 */
@ExtendWith(ServiceExtension.class)
class CompactionInFelixTest {
    private static final long WAIT_MS = 10_000;
    private static final Pattern MAPPED = Pattern.compile("(?m)^memory: (\\d+) mapped pages");

    @InjectService(timeout = WAIT_MS)
    CommandProcessor processor;

    GogoSession gogo;
    long memFreeAtBoot;

    @BeforeEach
    void bootTheDefaultGuestAndStopKcompactd() throws Exception {
        gogo = new GogoSession(processor);
        FreshGuest.boot(gogo, MigrationContract.MOVABLE_OPS_2025);
        gogo.run("mm:kcompactd stop");
        memFreeAtBoot = MmOutput.memFreeKb(gogo.run("mm:meminfo"));
    }

    @AfterEach
    void stopTheWorkloadAndStartKcompactdAgain() throws Exception {
        try {
            gogo.run("mm:workload stop");
            assertThat(MmOutput.memFreeKb(gogo.run("mm:meminfo"))).as("MemFree once the workload stopped")
                    .isEqualTo(memFreeAtBoot);
            assertThat(MmOutput.checkerReports(gogo.run("mm:debug"))).as("checker reports; dmesg:%n%s",
                    gogo.run("mm:dmesg")).isZero();
        } finally {
            gogo.run("mm:kcompactd start");
            gogo.close();
        }
    }

    @Test
    void compactingAFragmentedGuestGathersAtLeast80PercentOfWhatTheLayoutAllowsInto2MiBBlocks() throws Exception {
        assertThat(gogo.run("mm:workload fragment --seed 1 --target 5")).contains("reached").doesNotContain("NOT reached");

        String compact = gogo.run("mm:compact");

        List<MmOutput.Shares> shares = MmOutput.shares(compact);
        assertThat(shares).as(compact).hasSize(2);
        MmOutput.Shares before = shares.get(0);
        MmOutput.Shares after = shares.get(1);
        System.out.printf("mm:compact on the fragmented 4 GiB guest%n  before: %s%n  after:  %s%n", before.line(),
                after.line());
        assertThat(before.order9Share()).as(before.line()).isLessThan(0.05);
        double best = Math.max(before.bestShare(), after.bestShare());
        assertThat(after.order9Share()).as("%s, at least 80%% of the best (%.3f)", after.line(), best)
                .isGreaterThanOrEqualTo(0.80 * best);
        assertThat(after.freePages()).as("compaction neither frees nor takes memory").isEqualTo(before.freePages());
        assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
    }

    @Test
    void compactionBesideATwoThreadWorkloadLosesNeitherPagesNorData() throws Exception {
        gogo.run("mm:workload start --threads 2 --seed 7 --processes 32 --pages 2048");
        awaitMappedPages(16_384);

        long migrated = 0;
        for (String mode : List.of("async", "sync-light", "sync")) {
            long m = MmOutput.compactPages(gogo.run("mm:compact --mode " + mode), "migrated");
            System.out.printf("mm:compact --mode %s beside the workload: %d pages migrated%n", mode, m);
            migrated += m;
            assertThat(lastLine(gogo.run("mm:check"))).as("mm:check beside the workload, after %s", mode)
                    .isEqualTo("mm:check: OK");
        }
        String stopped = gogo.run("mm:workload stop");

        assertThat(migrated).as("pages compaction migrated from under the workload").isPositive();
        assertThat(stopped).contains("data loss: 0");
        assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
        assertThat(MmOutput.memFreeKb(gogo.run("mm:meminfo"))).as("MemFree, every page back").isEqualTo(memFreeAtBoot);
    }

    /** Waits until the workload's processes map at least this many pages, so compaction finds some to move. */
    private void awaitMappedPages(long pages) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        String status;
        do {
            status = gogo.run("mm:workload status");
            Matcher m = MAPPED.matcher(status);
            assertThat(m.find()).as(status).isTrue();
            if (Long.parseLong(m.group(1)) >= pages) {
                return;
            }
            Thread.sleep(10);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("the workload did not map " + pages + " pages within " + WAIT_MS + " ms:\n" + status);
    }
}
