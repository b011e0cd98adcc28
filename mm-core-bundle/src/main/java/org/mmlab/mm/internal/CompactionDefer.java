package org.mmlab.mm.internal;

/**
 * Models mm/compaction.c's deferral: defer_compaction(), compaction_deferred(),
 * compaction_defer_reset() and compaction_restarting(), on the counters CONFIG_COMPACTION keeps in
 * struct zone. Direct compaction and kcompactd ask it whether a zone is worth trying for an order.
 */
final class CompactionDefer {
    /** Do not skip compaction more than 64 times. */
    static final int COMPACT_MAX_DEFER_SHIFT = 6;

    private CompactionDefer() {
    }

    /*
     * Deferral, per zone and order (rules next to the counters in Zone):
     * i.   a failed sync compaction (complete or partial) doubles how many requests skip the zone,
     *      up to 1 << COMPACT_MAX_DEFER_SHIFT (64), and lowers compact_order_failed to the order;
     * ii.  orders below compact_order_failed are never deferred;
     * iii. a success resets the counts (alloc_success) and raises compact_order_failed past the order.
     */

    /** defer_compaction(). */
    static void deferCompaction(Zone zone, int order) {
        zone.compactConsidered = 0;
        zone.compactDeferShift++;
        if (order < zone.compactOrderFailed) {
            zone.compactOrderFailed = order;
        }
        if (zone.compactDeferShift > COMPACT_MAX_DEFER_SHIFT) {
            zone.compactDeferShift = COMPACT_MAX_DEFER_SHIFT;
        }
    }

    /** compaction_deferred(): true if compaction should be skipped this time. */
    static boolean compactionDeferred(Zone zone, int order) {
        int deferLimit = 1 << zone.compactDeferShift;
        if (order < zone.compactOrderFailed) {
            return false;
        }
        // avoid possible overflow
        if (++zone.compactConsidered >= deferLimit) {
            zone.compactConsidered = deferLimit;
            return false;
        }
        return true;
    }

    /** compaction_defer_reset(): after a success, or one expected (allocSuccess false). */
    static void compactionDeferReset(Zone zone, int order, boolean allocSuccess) {
        if (allocSuccess) {
            zone.compactConsidered = 0;
            zone.compactDeferShift = 0;
        }
        if (order >= zone.compactOrderFailed) {
            zone.compactOrderFailed = order + 1;
        }
    }

    /** compaction_restarting(): true if restarting compaction after many failures. */
    static boolean compactionRestarting(Zone zone, int order) {
        if (order < zone.compactOrderFailed) {
            return false;
        }
        return zone.compactDeferShift == COMPACT_MAX_DEFER_SHIFT
                && zone.compactConsidered >= 1 << zone.compactDeferShift;
    }
}
