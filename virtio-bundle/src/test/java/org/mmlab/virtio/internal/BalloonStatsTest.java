package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.virtio.internal.Uapi.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Mm;

/**
 * update_balloon_stats() as v6.10 fills it (issue 10, item 13): each tag from the kernel's counter in the
 * kernel's unit, and the tags this guest keeps no counter for named.
 */
class BalloonStatsTest {
    static final long PAGE = 1L << Mm.PAGE_SHIFT;

    @Test
    void swapMemoryAndTheScanAndReclaimAmountsAreBytesTheRestCounts() {
        Map<String, Long> events = Map.ofEntries(Map.entry("pswpin", 1L), Map.entry("pswpout", 2L),
                Map.entry("pgmajfault", 3L), Map.entry("pgfault", 4L), Map.entry("nr_file_pages", 5L),
                Map.entry("htlb_buddy_alloc_success", 6L), Map.entry("htlb_buddy_alloc_fail", 7L),
                Map.entry("oom_kill", 8L), Map.entry("allocstall_dma32", 9L), Map.entry("allocstall_normal", 10L),
                Map.entry("pgscan_kswapd", 11L), Map.entry("pgscan_direct", 12L), Map.entry("pgsteal_kswapd", 13L),
                Map.entry("pgsteal_direct", 14L));

        long[] s = BalloonStats.updateBalloonStats(events, 100, 200, 150);

        assertThat(s).containsExactly(1 * PAGE, 2 * PAGE, 3, 4, 100 * PAGE, 200 * PAGE, 150 * PAGE, 5 * PAGE, 6, 7, 8,
                9 + 10, 11 * PAGE, 12 * PAGE, 13 * PAGE, 14 * PAGE);
    }

    @Test
    void theLabSaysWhichTagsItHasNoSourceForAndCountsTheRest() {
        try (TestGuest g = new TestGuest()) {
            List<String> noSource = new ArrayList<>();
            for (int tag = 0; tag < VIRTIO_BALLOON_S_NR; tag++) {
                if (BalloonStats.noSource(tag, g.mm.vmstat()) != null) {
                    noSource.add(STAT_NAMES.get(tag));
                }
            }

            assertThat(noSource).containsExactly("swap-in", "swap-out", "major-faults", "disk-caches",
                    "hugetlb-allocations", "hugetlb-failures", "async-scans", "direct-scans", "async-reclaims",
                    "direct-reclaims");
            assertThat(BalloonStats.noSource(VIRTIO_BALLOON_S_ASYNC_SCAN, g.mm.vmstat())).contains("no LRU reclaim");
        }
    }
}
