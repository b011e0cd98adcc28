package org.mmlab.mm.internal;

import java.util.function.BooleanSupplier;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateMode;

/**
 * Models struct compact_control (mm/internal.h): one compaction run's state, private to the task
 * that compacts. Its two page lists are list heads in the memmap threaded through page->lru, like
 * cc->freepages and cc->migratepages; close() gives the heads back once the run is over (the
 * lists are empty then: compact_zone() migrated or put back every page and released its targets).
 */
final class CompactControl implements AutoCloseable {
    private final MemMap map;
    /** cc->freepages: isolated free pages, split to order 0 with one reference each (split_map_pages()). */
    final int freepages;
    /** cc->migratepages: pages isolated for migration. */
    final int migratepages;
    /** split_map_pages()'s tmp_list: the blocks just taken off the free lists, before they are split. */
    final int isolatedBlocks;
    /** cc->nr_freepages / cc->nr_migratepages. */
    int nrFreepages;
    int nrMigratepages;
    /** cc->free_pfn / cc->migrate_pfn: where the free scanner (downward) and the migrate scanner (upward) are. */
    int freePfn;
    int migratePfn;
    /** cc->total_migrate_scanned / cc->total_free_scanned for the current zone. */
    long totalMigrateScanned;
    long totalFreeScanned;
    Zone zone;
    /** cc->order: the order wanted, or -1 for whole-zone compaction (compact_memory, node compact, proactive). */
    final int order;
    final int gfpMask;
    /** cc->migratetype: gfp_migratetype(gfp_mask), set by compact_zone(). */
    int migratetype;
    final int allocFlags;
    final int highestZoneidx;
    final MigrateMode mode;
    /** Scan blocks even if they are marked for skipping. */
    boolean ignoreSkipHint;
    /** Don't mark blocks for skipping. */
    boolean noSetSkipHint;
    /** Take free pages from blocks of any migratetype. */
    boolean ignoreBlockSuitable;
    /** A direct compactor: an allocation is waiting (try_to_compact_pages()). */
    boolean directCompaction;
    /** Proactive compaction by kcompactd: stop once the zone's fragmentation score is low enough. */
    boolean proactiveCompaction;
    /** Scan the whole zone, from its ends, not from the cached scanner positions. */
    boolean wholeZone;
    /** A lock was contended (async mode) or the task has a fatal signal: stop soon. */
    boolean contended;
    /** Scan the rest of the current pageblock even after COMPACT_CLUSTER_MAX pages. */
    boolean finishPageblock;
    /** fatal_signal_pending(current) (and kthread_should_stop() for kcompactd). */
    final BooleanSupplier fatalSignalPending;

    // compact_zone()'s locals, kept here across the stop_machine sections of one run
    int lastMigratedPfn;
    boolean updateCached;

    // What the run did, summed over every zone it compacted (for mm:compact; the kernel only counts events)
    long sumMigrateScanned;
    long sumFreeScanned;
    long sumIsolatedMigrate;
    long sumIsolatedFree;
    long sumMigrated;
    long sumFailed;

    /** compaction_alloc / compaction_free bound to this run, made once (no allocation per batch). */
    final Migrate.NewPage compactionAlloc;
    final Migrate.FreeNewPage compactionFree;

    CompactControl(Compaction compaction, int order, int gfpMask, int allocFlags, int highestZoneidx, MigrateMode mode,
            BooleanSupplier fatalSignalPending) {
        this.map = compaction.map;
        this.order = order;
        this.gfpMask = gfpMask;
        this.allocFlags = allocFlags;
        this.highestZoneidx = highestZoneidx;
        this.mode = mode;
        this.fatalSignalPending = fatalSignalPending;
        this.migratetype = Gfp.migratetype(gfpMask).ordinal();
        int[] heads = new int[3];
        int n = 0;
        try {
            for (; n < heads.length; n++) {
                heads[n] = map.allocListHead();
            }
        } catch (IllegalStateException e) {
            while (n > 0) {
                map.freeListHead(heads[--n]);
            }
            throw e;
        }
        freepages = heads[0];
        migratepages = heads[1];
        isolatedBlocks = heads[2];
        CompactionFreeScanner freeScanner = compaction.freeScanner;
        compactionAlloc = (src, o) -> freeScanner.compactionAlloc(this, src, o);
        compactionFree = (pfn, o) -> freeScanner.compactionFree(this, pfn, o);
    }

    /** Gives the list heads back; one that still holds pages (a KernelBug ended the run) is left alone, leaked. */
    @Override
    public void close() {
        for (int head : new int[] {freepages, migratepages, isolatedBlocks}) {
            if (map.next[head] == head) {
                map.freeListHead(head);
            }
        }
    }
}
