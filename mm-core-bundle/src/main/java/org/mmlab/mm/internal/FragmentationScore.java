package org.mmlab.mm.internal;

/**
 * Models mm/compaction.c's proactive compaction score: fragmentation_score_zone(),
 * fragmentation_score_node(), their watermarks from vm.compaction_proactiveness and
 * should_proactive_compact_node(), which kcompactd asks before each proactive pass.
 */
final class FragmentationScore {
    private final Compaction compaction;
    private final PageAlloc alloc;

    FragmentationScore(Compaction compaction) {
        this.compaction = compaction;
        this.alloc = compaction.guest.alloc;
    }

    /** fragmentation_score_zone(): extfrag_for_order(zone, COMPACTION_HPAGE_ORDER), 0..100. */
    int fragmentationScoreZone(Zone zone) {
        return ExtfragIndex.extfragForOrder(zone, Compaction.COMPACTION_HPAGE_ORDER);
    }

    /** fragmentation_score_zone_weighted(): scaled by the zone's share of the node, so small zones count little. */
    int fragmentationScoreZoneWeighted(Zone zone) {
        long score = (long) zone.presentPages * fragmentationScoreZone(zone);
        return (int) (score / (nodePresentPages() + 1));
    }

    private long nodePresentPages() {
        long n = 0;
        for (Zone z : alloc.zones) {
            n += z.presentPages;
        }
        return n;
    }

    /** fragmentation_score_node(): the sum of the weighted zone scores, 0..100. */
    int fragmentationScoreNode() {
        int score = 0;
        for (Zone z : alloc.zones) {
            if (z.presentPages > 0) {
                score += fragmentationScoreZoneWeighted(z);
            }
        }
        return score;
    }

    /** fragmentation_score_wmark(): wmark_low = 100 - proactiveness; wmark_high = wmark_low + min(10, wmark_low / 2). */
    int fragmentationScoreWmark(boolean low) {
        int wmarkLow = 100 - compaction.compactionProactiveness();
        int leeway = Math.min(10, wmarkLow / 2);
        return low ? wmarkLow : Math.min(wmarkLow + leeway, 100);
    }

    /** should_proactive_compact_node(): proactiveness on (no kswapd to run) and the node's score above wmark_high. */
    boolean shouldProactiveCompactNode() {
        if (compaction.compactionProactiveness() == 0) {
            return false;
        }
        return fragmentationScoreNode() > fragmentationScoreWmark(false);
    }
}
