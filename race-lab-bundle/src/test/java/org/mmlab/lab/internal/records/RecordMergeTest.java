package org.mmlab.lab.internal.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmlab.lab.RaceOutcome;

class RecordMergeTest {
    static final String CAMPAIGN = "lab:explore r --contract 2025 --strategy random --seed 1 --runs 20";
    static final String SETUP = "--contract 2025";

    @TempDir
    Path dir;

    /** Shard i of n of a 20-run campaign whose every fifth run reports, as lab:explore writes it. */
    private String shard(String name, int i, int n, boolean finished) throws Exception {
        Path file = dir.resolve(name);
        Shard shard = new Shard(i, n);
        try (RecordSink sink = RecordSink.open(file.toString())) {
            for (int j = 0; j < shard.runs(20); j++) {
                int k = shard.run(j);
                boolean found = k % 5 == 2;
                RaceOutcome o = new RaceOutcome("r", SETUP, "random --seed " + (k + 1), found,
                        found ? List.of("BUG: KASAN: use-after-unload at pfn 0x" + k,
                                "BUG: Bad page state in process compaction  pfn:4c0" + k) : List.of(), null,
                        List.of(), "a*" + (k + 1) + " b", List.of(), k + 2, null);
                sink.write(RunRecord.of(CAMPAIGN, k, Schedule.random(k + 1), o, false, "Bad page state", 1.5));
            }
            if (finished) {
                sink.write(new SummaryRecord("summary", CAMPAIGN, CAMPAIGN + " --shard " + shard, shard.toString(), 20,
                        shard.runs(20), Map.of(), 0, null, null, null, "time"));
            }
        }
        return file.toString();
    }

    @Test
    void theShardsOfACampaignMergeIntoOneSummaryWithItsFindings() throws Exception {
        RecordMerge.Merged m = RecordMerge.merge(List.of(shard("0", 0, 4, true), shard("1", 1, 4, true),
                shard("2", 2, 4, true), shard("3", 3, 4, true)));

        assertThat(m.problems()).isEmpty();
        assertThat(m.lines()).containsExactly("merged 4 files: 20 runs of 1 campaign",
                CAMPAIGN + ": 20 of 20 runs, 4 shards of 4: clean 16, reproduced 4",
                "  reproduced in 4 runs: BUG: Bad page state in process compaction  pfn:…",
                "    first: run 3 (random --seed 3)",
                "    replay: lab:replay r 'a*3 b' " + SETUP);
    }

    @Test
    void aMissingShardAndAnUnfinishedOneAreNamed() throws Exception {
        String unfinished = shard("3", 3, 4, false);
        RecordMerge.Merged m = RecordMerge.merge(List.of(shard("0", 0, 4, true), shard("1", 1, 4, true), unfinished));

        assertThat(m.problems()).containsExactly(
                "unfinished: " + unfinished + " has no summary record (5 runs): its command did not finish",
                "missing: shard 2/4 of " + CAMPAIGN, "missing: shard 3/4 of " + CAMPAIGN);
        assertThat(m.lines().get(1)).startsWith(CAMPAIGN + ": 15 of 20 runs, 2 shards of 4: clean 12, reproduced 3");
    }

    @Test
    void aScheduleInTwoFilesIsAnOverlap() throws Exception {
        String a = shard("a", 0, 2, true);
        String b = shard("b", 0, 2, true);
        RecordMerge.Merged m = RecordMerge.merge(List.of(a, b, shard("c", 1, 2, true)));

        assertThat(m.problems()).containsExactly("overlap: r --contract 2025 random --seed 1 is in " + a + " and " + b,
                "overlap: r --contract 2025 random --seed 3 is in " + a + " and " + b,
                "overlap: r --contract 2025 random --seed 5 is in " + a + " and " + b,
                "overlap: r --contract 2025 random --seed 7 is in " + a + " and " + b,
                "overlap: r --contract 2025 random --seed 9 is in " + a + " and " + b,
                "overlap: r --contract 2025 random --seed 11 is in " + a + " and " + b,
                "overlap: r --contract 2025 random --seed 13 is in " + a + " and " + b,
                "overlap: r --contract 2025 random --seed 15 is in " + a + " and " + b,
                "overlap: r --contract 2025 random --seed 17 is in " + a + " and " + b,
                "overlap: r --contract 2025 random --seed 19 is in " + a + " and " + b,
                "overlap: shard 0/2 of " + CAMPAIGN + " is in " + a + " and " + b);
        assertThat(m.lines().get(1)).as("each schedule counted once")
                .startsWith(CAMPAIGN + ": 20 of 20 runs, 2 shards of 2: clean 16, reproduced 4");
    }

    @Test
    void whatIsNotARecordFileIsRefusedInOneLine() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n\n");
        Path text = Files.writeString(dir.resolve("text"), "run 1 (random --seed 1, 9 decisions): clean\n");
        Path other = Files.writeString(dir.resolve("other"), "{\"MemFree\":1}\n");
        Path half = Files.writeString(dir.resolve("half"), "{\"type\":\"run\",\"campaign\":\"c\"}\n");
        Path binary = Files.write(dir.resolve("binary"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        Map<String, String> refused = Map.of(
                dir + "/nosuch", "no file " + dir + "/nosuch",
                dir.toString(), dir + " is a directory: give the files lab:race, lab:explore or lab:storm --json FILE wrote",
                empty.toString(), empty + " is empty: it holds no records",
                text.toString(), text + " line 1 is not JSON: at character 1: 'r' where a value should be",
                other.toString(), other + " line 1 is not a lab record: no \"type\" run or summary",
                half.toString(), half + " line 1 has no \"index\" count: not a record lab:race, lab:explore or lab:storm writes",
                binary.toString(), binary + " is not UTF-8 text: not a record file");
        String good = shard("good", 0, 1, true);
        refused.forEach((file, message) -> assertThatIllegalArgumentException().as(file)
                .isThrownBy(() -> RecordMerge.merge(List.of(good, file))).withMessage(message));
        assertThatIllegalArgumentException().isThrownBy(() -> RecordMerge.merge(List.of()))
                .withMessage("no files: give the files lab:race, lab:explore or lab:storm --json FILE wrote");
    }

    @Test
    void aSignatureMasksWhatVariesBetweenRunsThatFoundTheSameThing() {
        assertThat(RunRecord.signature("list_del corruption, ffffea0003010008->next is LIST_POISON1 (dead000000000100)"))
                .isEqualTo("list_del corruption, …->next is LIST_POISON1 (…)");
        assertThat(RunRecord.signature("WARNING: CPU: 0 PID: 87 at lib/list_debug.c __list_del_entry_valid_or_report"))
                .isEqualTo("WARNING: CPU: 0 PID: … at lib/list_debug.c __list_del_entry_valid_or_report");
        assertThat(RunRecord.signature("kernel BUG at include/linux/mm.h:1386 (v6.18.2): VM_BUG_ON_PAGE(x) pfn:c0400"))
                .isEqualTo("kernel BUG at include/linux/mm.h:1386 (v6.18.2): VM_BUG_ON_PAGE(x) pfn:…");
        assertThat(RunRecord.signature("a frame it does not hold: pfn 0x4c000, which host 0 holds"))
                .isEqualTo("a frame it does not hold: pfn …, which host 0 holds");
    }
}
