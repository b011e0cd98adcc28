package org.mmlab.mm.admin;

import java.util.Locale;

import org.mmlab.mm.Mm;
import org.mmlab.mm.Sizes;

/**
 * What mm:workload fragment did and what it left (no kernel counterpart: the history of a long-running
 * guest, replayed).
 *
 * @param seed                 the seed of the one Random every choice came from
 * @param processes            processes set up (all alive afterwards)
 * @param pagesPerProcess      each one's address space
 * @param targetPercent        the target for the share of free pages in order &gt;= 9 blocks
 * @param faulted              pages the processes faulted in (phase 1)
 * @param peakMapped           pages mapped when memory was fullest
 * @param unmapped             pages the processes unmapped (phases 2 and 3)
 * @param slabPages            slab pages allocated while memory was tight (held until stop)
 * @param slabInMovableBlocks  of those, the ones that fell back into Movable pageblocks
 * @param mappedPages          pages mapped at the end
 * @param pageTablePages       page-table pages at the end
 * @param managedPages         the guest's managed pages
 * @param freePages            free pages at the end (NR_FREE_PAGES)
 * @param shares               the shares at the end, measured with the machine still stopped
 * @param reached              the share of free pages in order &gt;= 9 blocks is below the target
 * @param millis               wall time of the whole fragment
 */
public record FragmentResult(long seed, int processes, int pagesPerProcess, double targetPercent, long faulted,
        long peakMapped, long unmapped, long slabPages, long slabInMovableBlocks, long mappedPages,
        long pageTablePages, long managedPages, long freePages, Fragmentation shares, boolean reached,
        long millis) {

    /** Free pages as a share of managed memory, 0..1. */
    public double freeShare() {
        return managedPages == 0 ? 0 : (double) freePages / managedPages;
    }

    /** What mm:workload fragment prints. */
    public String describe() {
        Fragmentation s = shares;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "fragment: seed %d, %d processes x %d pages (%s each): faulted in"
                + " %d pages (peak %d mapped), kernel allocated %d slab pages while memory was tight (%d fell back"
                + " into Movable pageblocks), processes unmapped %d scattered pages, in %.1f s%n", seed, processes,
                pagesPerProcess, Sizes.format(pagesPerProcess), faulted, peakMapped, slabPages, slabInMovableBlocks,
                unmapped, millis / 1000.0));
        sb.append(String.format(Locale.ROOT, "memory: %d pages mapped (%s), %d pages free (%s, %.1f%% of %d"
                + " managed), %d page-table pages, %d slab pages%n", mappedPages, Sizes.format(mappedPages),
                freePages, Sizes.format(freePages), 100 * freeShare(), managedPages, pageTablePages, slabPages));
        sb.append(String.format(Locale.ROOT, "unmovable: %d pages (boot-reserved, page tables, slab) in %d of %d"
                + " pageblocks (%.1f%%)%n", s.unmovablePages(), s.unmovablePageblocks(), s.pageblocks(),
                100.0 * s.unmovablePageblocks() / Math.max(1, s.pageblocks())));
        sb.append(s.describe()).append('\n');
        sb.append(reached
                ? String.format(Locale.ROOT, "target: below %s%% of free pages in order>=%d blocks: reached",
                        pct(targetPercent), Mm.PAGEBLOCK_ORDER)
                : String.format(Locale.ROOT, "target: below %s%% of free pages in order>=%d blocks: NOT reached"
                        + " (%.1f%% with %.1f%% of memory free)", pct(targetPercent), Mm.PAGEBLOCK_ORDER,
                        100 * s.order9Share(), 100 * freeShare()));
        return sb.append('\n').toString();
    }

    private static String pct(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }
}
