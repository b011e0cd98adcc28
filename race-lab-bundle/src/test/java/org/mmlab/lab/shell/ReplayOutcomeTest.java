package org.mmlab.lab.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.lab.RaceOutcome;

/** What lab:replay --runs N compares run for run: the same outcome, whatever PID a report names. */
class ReplayOutcomeTest {

    private static RaceOutcome replay(String... reports) {
        return new RaceOutcome("mainline-under-pct", "2012/none/v7-leak", "replay", true, List.of(reports), null,
                List.of(), "admin*2 compaction", List.of(), 280, null);
    }

    @Test
    void twoReplaysThatDifferOnlyInTheReportingThreadsPidHaveTheSameOutcome() {
        RaceOutcome first = replay("list_del corruption, ffffea0000004008->next is LIST_POISON1 (dead000000000100)",
                "WARNING: CPU: 0 PID: 1551 at lib/list_debug.c __list_del_entry_valid_or_report");
        RaceOutcome second = replay("list_del corruption, ffffea0000004008->next is LIST_POISON1 (dead000000000100)",
                "WARNING: CPU: 0 PID: 1562 at lib/list_debug.c __list_del_entry_valid_or_report");

        assertThat(LabCommands.outcome(first)).isEqualTo(LabCommands.outcome(second));
    }

    @Test
    void anotherReportIsAnotherOutcome() {
        RaceOutcome first = replay("WARNING: CPU: 0 PID: 1551 at lib/list_debug.c __list_del_entry_valid_or_report");
        RaceOutcome second = replay("BUG: KASAN: use-after-unload in __isolate_balloon_page at return");

        assertThat(LabCommands.outcome(first)).isNotEqualTo(LabCommands.outcome(second));
    }
}
