package org.mmlab.mm;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The running guest's memory as a picture, for the lab's web page and scripts: each pageblock's
 * migrate type and what its pages are (no kernel file shows this; /proc/kpageflags with page-types
 * and /proc/pagetypeinfo show the same facts page by page and summed). Read like /proc, without
 * stopping the machine: a page that changes meanwhile is counted as it was when it was looked at.
 */
@ProviderType
public interface MemoryMap {

    /** What a page is, for the map: every page is exactly one. */
    enum PageKind {
        /** In a free buddy block. */
        FREE,
        /** In a free buddy block that free page reporting gave to the host (PG_reported). */
        REPORTED,
        /** A process's page: anonymous, or on the LRU. */
        USER,
        /** Allocated by the kernel or a driver: slab, page tables, mm:alloc's, a driver's buffers. */
        KERNEL,
        /** In a balloon (PageOffline and a balloon's, or its frame held by a host). */
        BALLOON,
        /** PageOffline and nobody's balloon. */
        OFFLINE,
        /** Isolated for migration, or taken off the free lists by compaction. */
        ISOLATED,
        /** Reserved at boot (PG_reserved). */
        RESERVED
    }

    /** Every pageblock of the guest, in PFN order. */
    Pageblocks pageblocks();

    /**
     * One pageblock's pages.
     *
     * @param index the pageblock's number, PFN / {@link Mm#PAGEBLOCK_NR_PAGES}
     * @throws IllegalArgumentException for a pageblock the guest does not have
     */
    PageblockPages pageblock(int index);

    /**
     * The guest's pageblocks.
     *
     * @param pageblockPages pages in a pageblock (512)
     * @param kinds          the kinds in the order {@link Pageblock#pages()} counts them
     * @param pageblocks     each pageblock, in PFN order
     */
    record Pageblocks(int pageblockPages, List<PageKind> kinds, List<Pageblock> pageblocks) {
        public Pageblocks {
            kinds = List.copyOf(kinds);
            pageblocks = List.copyOf(pageblocks);
        }
    }

    /**
     * One pageblock.
     *
     * @param pfn         its first page
     * @param zone        its zone, e.g. "DMA32"
     * @param migratetype its migrate type (get_pageblock_migratetype())
     * @param pages       its pages of each kind, in {@link Pageblocks#kinds()}'s order
     * @param balloons    of its balloon pages, how many each balloon holds, by the host or driver bundle
     *                    that holds them, e.g. "virtio-balloon host 0"
     */
    record Pageblock(int pfn, String zone, MigrateType migratetype, List<Integer> pages, Map<String, Integer> balloons) {
        public Pageblock {
            pages = List.copyOf(pages);
            balloons = Map.copyOf(balloons);
        }
    }

    /**
     * One pageblock, page by page.
     *
     * @param pfn         its first page
     * @param zone        its zone
     * @param migratetype its migrate type
     * @param pages       each page's kind, in PFN order
     * @param owners      for a balloon page, whose balloon it is (as in {@link Pageblock#balloons()}); else ""
     */
    record PageblockPages(int pfn, String zone, MigrateType migratetype, List<PageKind> pages, List<String> owners) {
        public PageblockPages {
            pages = List.copyOf(pages);
            owners = List.copyOf(owners);
        }
    }
}
