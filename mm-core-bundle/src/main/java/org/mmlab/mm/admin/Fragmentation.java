package org.mmlab.mm.admin;

import java.util.Locale;

import org.mmlab.mm.Mm;

/**
 * How fragmented the guest's free memory is, and how far compaction could repair it: two shares of the
 * free pages, measured in one pass with the machine stopped (no one kernel file: the question
 * mm/compaction.c's fragmentation score asks). Shares are fractions of {@code freePages}; with no free
 * page both are 0.
 *
 * @param freePages              pages in free (PageBuddy) blocks of any order and migratetype
 * @param freeInOrder9Blocks     of those, pages in free blocks of order &gt;= 9 (pageblock_order)
 * @param freeInCleanPageblocks  of those, pages in pageblocks holding no unmovable or pinned page
 * @param cleanPageblocks        pageblocks holding no unmovable or pinned page (free or not)
 * @param pageblocks             all pageblocks of the guest
 * @param unmovablePages         allocated pages that are neither on the LRU nor movable non-LRU pages
 */
public record Fragmentation(long freePages, long freeInOrder9Blocks, long freeInCleanPageblocks, int cleanPageblocks,
        int pageblocks, long unmovablePages) {

    /** (a): the share of free pages that sit in free blocks of order &gt;= 9, 0..1. */
    public double order9Share() {
        return freePages == 0 ? 0 : (double) freeInOrder9Blocks / freePages;
    }

    /** (b): the share of free pages in clean pageblocks: the most (a) can become without moving unmovable pages. */
    public double bestShare() {
        return freePages == 0 ? 0 : (double) freeInCleanPageblocks / freePages;
    }

    /** (a) / (b): how much of what the layout allows is reached (the acceptance asks for 0.8 after mm:compact). */
    public double ofBest() {
        return freeInCleanPageblocks == 0 ? 0 : (double) freeInOrder9Blocks / freeInCleanPageblocks;
    }

    /** Pageblocks with at least one unmovable or pinned page. */
    public int unmovablePageblocks() {
        return pageblocks - cleanPageblocks;
    }

    /**
     * One line: {@code free in order>=9 blocks: 3.1% (12345 of 398765 free pages); best the layout
     * allows: 91.2% (1868 clean pageblocks of 2048)}.
     */
    public String describe() {
        return String.format(Locale.ROOT, "free in order>=%d blocks: %.1f%% (%d of %d free pages); best the layout"
                + " allows: %.1f%% (%d clean pageblocks of %d)", Mm.PAGEBLOCK_ORDER, 100 * order9Share(),
                freeInOrder9Blocks, freePages, 100 * bestShare(), cleanPageblocks, pageblocks);
    }
}
