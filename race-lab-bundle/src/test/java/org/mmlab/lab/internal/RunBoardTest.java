package org.mmlab.lab.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.lab.LabRuns;
import org.mmlab.lab.LabRuns.Run;

/** The board of runs: each entry as last posted with every different report of its runs, the newest kept. */
class RunBoardTest {

    private final RunBoard board = new RunBoard();

    @Test
    void anEntryIsReplacedByEachPostUntilItEnds() {
        long id = board.start("lab:race 1 --runs 2", 2);
        assertThat(board.runs()).containsExactly(new Run(id, "lab:race 1 --runs 2", 2, 0, 0, "", List.of(), true));

        board.progress(id, 1, 1, "run 1: REPRODUCED", List.of("BUG: KASAN: use-after-free"));
        board.progress(id, 2, 2, "run 2: REPRODUCED", List.of("BUG: KASAN: use-after-free", "WARNING: lockdep"));
        board.end(id, "fails as the catalogue says");

        assertThat(board.runs()).containsExactly(new Run(id, "lab:race 1 --runs 2", 2, 2, 2,
                "fails as the catalogue says", List.of("BUG: KASAN: use-after-free", "WARNING: lockdep"), false));
    }

    @Test
    void theBoardKeepsTheNewestEntries() {
        for (int i = 0; i < LabRuns.KEPT + 3; i++) {
            board.start("run " + i, 1);
        }

        assertThat(board.runs()).hasSize(LabRuns.KEPT);
        assertThat(board.runs().get(0).what()).isEqualTo("run 3");
        assertThat(board.runs().get(LabRuns.KEPT - 1).what()).isEqualTo("run " + (LabRuns.KEPT + 2));
    }
}
