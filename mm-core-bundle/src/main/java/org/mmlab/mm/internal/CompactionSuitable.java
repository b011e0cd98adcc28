package org.mmlab.mm.internal;

import static org.mmlab.mm.internal.Compaction.isViaCompactMemory;
import static org.mmlab.mm.internal.Compaction.pageblockAligned;

import org.mmlab.mm.Mm;
import org.mmlab.mm.internal.Compaction.CompactResult;

/**
 * Models mm/compaction.c's tests of whether to compact: compaction_suitable() and
 * compaction_suit_allocation_order() before a zone is compacted for an order, compact_finished()
 * after every batch of a run (the scanners met, a suitable page is free, the proactive score is low
 * enough, or the run was contended).
 */
final class CompactionSuitable {
    private final Compaction compaction;
    private final FragmentationScore score;

    CompactionSuitable(Compaction compaction) {
        this.compaction = compaction;
        this.score = compaction.score;
    }

    /** compact_scanners_met(): the free scanner reached the migrate scanner's pageblock (or below). */
    static boolean compactScannersMet(CompactControl cc) {
        return cc.freePfn >> Mm.PAGEBLOCK_ORDER <= cc.migratePfn >> Mm.PAGEBLOCK_ORDER;
    }

    /** __compact_finished(). */
    private CompactResult compactFinishedInner(CompactControl cc) {
        Zone zone = cc.zone;
        // a run completes when the scanners meet
        if (compactScannersMet(cc)) {
            // let the next compaction start anew
            CompactionSkipHints.resetCachedPositions(zone);
            // the skip bits go when the allocation that asked for this is satisfied: direct compaction only
            if (cc.directCompaction) {
                zone.compactBlockskipFlush = true;
            }
            return cc.wholeZone ? CompactResult.COMPLETE : CompactResult.PARTIAL_SKIPPED;
        }
        CompactResult ret;
        if (cc.proactiveCompaction) {
            // (kswapd_is_running(): the simulation has no kswapd)
            ret = score.fragmentationScoreZone(zone) > score.fragmentationScoreWmark(true) ? CompactResult.CONTINUE
                    : CompactResult.SUCCESS;
        } else {
            if (isViaCompactMemory(cc.order)) {
                return CompactResult.CONTINUE;
            }
            // always finish scanning a pageblock, to make fallbacks less likely later
            if (!pageblockAligned(cc.migratePfn)) {
                return CompactResult.CONTINUE;
            }
            // direct compactor: is a suitable page free?
            ret = CompactResult.NO_SUITABLE_PAGE;
            boolean[] canSteal = new boolean[1];
            for (int order = cc.order; order < Mm.NR_PAGE_ORDERS; order++) {
                // job done if a page is free of the right migratetype
                if (!zone.freeAreaEmpty(order, cc.migratetype)) {
                    return CompactResult.SUCCESS;
                }
                // job done if the allocation would steal free pages from other migratetypes' lists
                if (PageAllocFallback.findSuitableFallback(zone, order, cc.migratetype, canSteal) != -1 && canSteal[0]) {
                    return CompactResult.SUCCESS;
                }
            }
        }
        if (cc.contended || cc.fatalSignalPending.getAsBoolean()) {
            ret = CompactResult.CONTENDED;
        }
        return ret;
    }

    /** compact_finished(). */
    CompactResult compactFinished(CompactControl cc) {
        CompactResult ret = compactFinishedInner(cc);
        return ret == CompactResult.NO_SUITABLE_PAGE ? CompactResult.CONTINUE : ret;
    }

    /** compact_gap(): twice the request, for the free pages isolated as targets while the sources are not freed yet. */
    static long compactGap(int order) {
        return 2L << order;
    }

    /**
     * __compaction_suitable(): the order-0 watermark plus compact_gap() (plus low - min for costly
     * orders) must be met for the free scanner to find targets.
     */
    private boolean compactionSuitableWatermark(Zone zone, int order, long watermark, int highestZoneidx,
            long freePages) {
        watermark += compactGap(order);
        if (order > Mm.PAGE_ALLOC_COSTLY_ORDER) {
            watermark += zone.watermark[Zone.WMARK_LOW] - zone.watermark[Zone.WMARK_MIN];
        }
        return PageAllocWatermarks.zoneWatermarkOk(zone, 0, watermark, highestZoneidx, 0, freePages);
    }

    /**
     * compaction_suitable() with the result its tracepoint records: SKIPPED below the watermark,
     * NOT_SUITABLE_ZONE when a costly order fails for lack of memory rather than fragmentation
     * (0 &lt;= fragmentation_index &lt;= extfrag_threshold), else CONTINUE.
     */
    CompactResult compactionSuitableResult(Zone zone, int order, long watermark, int highestZoneidx) {
        if (!compactionSuitableWatermark(zone, order, watermark, highestZoneidx, zone.freePages)) {
            return CompactResult.SKIPPED;
        }
        if (order > Mm.PAGE_ALLOC_COSTLY_ORDER) {
            int fragindex = ExtfragIndex.fragmentationIndex(zone, order);
            if (fragindex >= 0 && fragindex <= compaction.extfragThreshold()) {
                return CompactResult.NOT_SUITABLE_ZONE;
            }
        }
        return CompactResult.CONTINUE;
    }

    /** compaction_suitable(): is this zone worth compacting for the order now? */
    boolean compactionSuitable(Zone zone, int order, long watermark, int highestZoneidx) {
        return compactionSuitableResult(zone, order, watermark, highestZoneidx) == CompactResult.CONTINUE;
    }

    /**
     * compaction_suit_allocation_order(): SUCCESS if the allocation would succeed already, SKIPPED if
     * compaction is likely to fail, CONTINUE if it should run.
     */
    CompactResult compactionSuitAllocationOrder(Zone zone, int order, int highestZoneidx, int allocFlags,
            boolean async) {
        long freePages = zone.freePages;
        long watermark = zone.watermark[allocFlags & PageAlloc.ALLOC_WMARK_MASK];
        if (PageAllocWatermarks.zoneWatermarkOk(zone, order, watermark, highestZoneidx, allocFlags, freePages)) {
            return CompactResult.SUCCESS;
        }
        if (order > Mm.PAGE_ALLOC_COSTLY_ORDER && async
                && !PageAllocWatermarks.zoneWatermarkOk(zone, 0, watermark + compactGap(order), highestZoneidx, 0, freePages)) {
            return CompactResult.SKIPPED;
        }
        if (!compactionSuitable(zone, order, watermark, highestZoneidx)) {
            return CompactResult.SKIPPED;
        }
        return CompactResult.CONTINUE;
    }
}
