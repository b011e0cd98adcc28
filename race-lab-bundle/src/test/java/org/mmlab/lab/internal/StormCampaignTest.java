package org.mmlab.lab.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmlab.lab.internal.StormOp.Kind;
import org.mmlab.lab.internal.records.RecordMerge;
import org.mmlab.lab.internal.records.RecordSink;
import org.mmlab.lab.internal.records.RunRecord;
import org.mmlab.lab.internal.records.Shard;
import org.mmlab.lab.internal.records.SummaryRecord;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * A campaign of storms: which storms (and seeds) each shard runs, each storm's run record, and lab:merge of
 * the shards' records.
 */
class StormCampaignTest {
    static final StormSetup SETUP = new StormSetup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE,
            LeakPathSetting.V38, 5, 10);
    static final StormCampaign CAMPAIGN = new StormCampaign(SETUP, 30, List.of("virtio", "vmware"),
            List.of(Kind.STOP, Kind.UPDATE), 8);
    static final String COMMAND = "lab:storm --storms 8 --cycles 30 --drivers virtio,vmware --ops stop,update --seed 5"
            + " --contract 2025 --policy none --leak-path v3.8 --check-every 10";
    static final String LOST = "BUG: mmlab: page conservation broken during the storm: mm:check: FAILED (1 problem)";

    @TempDir
    Path dir;

    @Test
    void theShardsRunEachStormOfTheCampaignOnceWithTheSeedTheWholeCampaignGivesIt() {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<Integer> storms = CAMPAIGN.of(new Shard(i, 3));
            storms.forEach(k -> assertThat(CAMPAIGN.storm(k).seed()).isEqualTo(5 + k));
            all.addAll(storms);
        }

        assertThat(all).containsExactlyInAnyOrderElementsOf(CAMPAIGN.of(Shard.ALL)).hasSize(8).doesNotHaveDuplicates();
        assertThat(CAMPAIGN.of(new Shard(1, 3))).containsExactly(1, 4, 7);
        assertThat(new StormCampaign(SETUP, 30, List.of("virtio"), List.of(Kind.STOP), 2).of(new Shard(3, 4)))
                .as("more shards than storms").isEmpty();
        assertThat(CAMPAIGN.command()).isEqualTo(COMMAND);
        assertThat(CAMPAIGN.alone(2)).isEqualTo("lab:storm --cycles 30 --drivers virtio,vmware --ops stop,update --seed 7"
                + " --contract 2025 --policy none --leak-path v3.8 --check-every 10");
    }

    @Test
    void aCleanStormsRecordRunsItAgainAndAFailedOnesReplaysAndShrinksItsFailingCycles() {
        RunRecord clean = CAMPAIGN.record(2, result(2, false), 1234.5678);

        assertThat(clean.outcome()).isEqualTo("clean");
        assertThat(clean.index()).isEqualTo(2);
        assertThat(clean.seed()).isEqualTo(7);
        assertThat(clean.setup()).isEqualTo("--contract 2025 --policy none --leak-path v3.8");
        assertThat("lab:storm " + clean.schedule() + " " + clean.setup()).as("the storm alone, as lab:storm takes it")
                .isEqualTo("lab:storm --cycles 30 --drivers virtio,vmware --ops stop,update --seed 7 --check-every 10"
                        + " --contract 2025 --policy none --leak-path v3.8");
        assertThat(clean.replay()).isEqualTo(CAMPAIGN.alone(2));
        assertThat(clean.report()).isNull();
        assertThat(clean.trace()).isNull();
        assertThat(clean.ms()).isEqualTo(1234.568);
        assertThat(clean.storm().cycles()).isEqualTo(30);
        assertThat(clean.storm().shrink()).isNull();

        RunRecord failed = CAMPAIGN.record(3, result(3, true), 10);

        assertThat(failed.outcome()).isEqualTo("failed");
        assertThat(failed.report()).isEqualTo(LOST);
        assertThat(failed.trace()).isEqualTo("stop:virtio update:vmware+stop:virtio");
        assertThat(failed.replay()).isEqualTo("lab:storm --replay 'stop:virtio update:vmware+stop:virtio' --seed 8"
                + " --contract 2025 --policy none --leak-path v3.8 --check-every 10");
        assertThat(failed.storm().shrink()).startsWith("lab:storm --shrink 'stop:virtio update:vmware+stop:virtio'");
        assertThat(failed.storm().cycles()).isEqualTo(20);
        assertThat(failed.storm().lost()).isEqualTo(3);
        assertThat(failed.storm().problems()).containsExactly("page neither free nor allocated: pfn 0x10 ... and 3"
                + " more");
    }

    @Test
    void theShardsRecordsMergeIntoTheCampaignsCountsAndFindingsAndAMissingShardIsNamed() throws Exception {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            files.add(shard(new Shard(i, 4)));
        }

        RecordMerge.Merged m = RecordMerge.merge(files);

        assertThat(m.problems()).isEmpty();
        assertThat(m.lines()).containsExactly("merged 4 files: 8 runs of 1 campaign",
                COMMAND + ": 8 of 8 runs, 4 shards of 4: clean 6, failed 2",
                "  failed in 2 runs: " + LOST,
                "    first: run 4 (--cycles 30 --drivers virtio,vmware --ops stop,update --seed 8 --check-every 10)",
                "    replay: lab:storm --replay 'stop:virtio update:vmware+stop:virtio' --seed 8 --contract 2025"
                        + " --policy none --leak-path v3.8 --check-every 10");
        assertThat(RecordMerge.merge(List.of(files.get(0), files.get(1), files.get(1), files.get(3))).problems())
                .contains("missing: shard 2/4 of " + COMMAND).anyMatch(p -> p.startsWith("overlap: storm --contract"
                        + " 2025 --policy none --leak-path v3.8 --cycles 30 --drivers virtio,vmware --ops stop,update"
                        + " --seed 6 --check-every 10 is in "));
    }

    /** Shard's storms of the campaign written as lab:storm --json writes them: storms 3 and 7 fail. */
    private String shard(Shard shard) throws Exception {
        Path file = dir.resolve("storm-" + shard.index() + ".jsonl");
        try (RecordSink sink = RecordSink.open(file.toString())) {
            List<Integer> storms = CAMPAIGN.of(shard);
            for (int k : storms) {
                sink.write(CAMPAIGN.record(k, result(k, k % 4 == 3), 5));
            }
            sink.write(new SummaryRecord("summary", CAMPAIGN.command(), CAMPAIGN.command() + " --shard " + shard,
                    shard.toString(), 8, storms.size(), Map.of(), null, null, null, null, "time"));
        }
        return file.toString();
    }

    /** What storm k did: 30 clean cycles, or a failure at its check after cycle 20 with 3 pages lost. */
    private static StormResult result(int k, boolean fails) {
        StormCheck last = fails ? new StormCheck(3, 0, List.of(LOST), "mm:check: FAILED (1 problem)",
                List.of("page neither free nor allocated: pfn 0x10 ... and 3 more"), "virtio-bundle ACTIVE", List.of(""))
                : new StormCheck(0, 0, List.of(), "mm:check: OK", List.of(), "virtio-bundle ACTIVE", List.of());
        List<List<StormOp>> failing = fails ? List.of(List.of(new StormOp(Kind.STOP, "virtio")),
                List.of(new StormOp(Kind.UPDATE, "vmware"), new StormOp(Kind.STOP, "virtio"))) : List.of();
        return new StormResult(fails ? 20 : 30, last, failing, "stop 20, update 12", "STARTED 32", "background");
    }
}
