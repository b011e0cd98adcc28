package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.MemoryMap.PageKind;
import org.mmlab.mm.MemoryMap.Pageblock;
import org.mmlab.mm.MemoryMap.PageblockPages;
import org.mmlab.mm.MemoryMap.Pageblocks;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * The memory map of one guest (org.mmlab.mm.MemoryMap; no kernel counterpart): what each page is,
 * found in one pass over the memmap as /proc/kpageflags reads it, without a lock.
 * <p>
 * Rules, in the order they apply to a page: (i) inside a free buddy block (from its head's order) it is
 * FREE, or REPORTED when the head carries PG_reported; (ii) PG_reserved is RESERVED; (iii) a compound
 * tail, or a tail of a plain high-order allocation (page_owner's order), is what its head is; (iv) a page
 * with no reference on no free list, a movable page isolated for migration (PageMovableOpsIsolated) and
 * an LRU page isolated by compaction are ISOLATED; (v) PageOffline is BALLOON when a host holds its
 * frame or a balloon's mapping or movable_ops own it, else OFFLINE; (vi) an anonymous or LRU page is
 * USER; (vii) anything else allocated is KERNEL.
 */
final class PageblockMap {

    private static final PageKind[] KINDS = PageKind.values();
    /** A scan starts on a MAX_ORDER boundary, where no free block can have begun before it. */
    private static final int MAX_BLOCK = 1 << (Mm.NR_PAGE_ORDERS - 1);

    private PageblockMap() {}

    static Pageblocks pageblocks(GuestMemory g) {
        int nr = g.nrPages();
        int blocks = (nr + Mm.PAGEBLOCK_NR_PAGES - 1) / Mm.PAGEBLOCK_NR_PAGES;
        List<Pageblock> out = new ArrayList<>(blocks);
        int[] counts = new int[KINDS.length];
        Map<String, Integer> balloons = new TreeMap<>();
        Scan scan = new Scan(g, 0);
        for (int b = 0; b < blocks; b++) {
            Arrays.fill(counts, 0);
            balloons.clear();
            int start = b * Mm.PAGEBLOCK_NR_PAGES;
            for (int pfn = start; pfn < Math.min(start + Mm.PAGEBLOCK_NR_PAGES, nr); pfn++) {
                PageKind kind = scan.next();
                counts[kind.ordinal()]++;
                if (kind == PageKind.BALLOON) {
                    balloons.merge(scan.owner, 1, Integer::sum);
                }
            }
            out.add(new Pageblock(start, g.alloc.zoneOf(start).name(), g.pageblockMigratetype(start),
                    Arrays.stream(counts).boxed().toList(), new LinkedHashMap<>(balloons)));
        }
        return new Pageblocks(Mm.PAGEBLOCK_NR_PAGES, List.of(KINDS), out);
    }

    static PageblockPages pageblock(GuestMemory g, int index) {
        int blocks = (g.nrPages() + Mm.PAGEBLOCK_NR_PAGES - 1) / Mm.PAGEBLOCK_NR_PAGES;
        if (index < 0 || index >= blocks) {
            throw new IllegalArgumentException("pageblock " + index + ": the guest has pageblocks 0 to " + (blocks - 1));
        }
        int start = index * Mm.PAGEBLOCK_NR_PAGES;
        int end = Math.min(start + Mm.PAGEBLOCK_NR_PAGES, g.nrPages());
        Scan scan = new Scan(g, start & ~(MAX_BLOCK - 1));
        while (scan.pfn < start) {
            scan.next();
        }
        List<PageKind> pages = new ArrayList<>(end - start);
        List<String> owners = new ArrayList<>(end - start);
        while (scan.pfn < end) {
            PageKind kind = scan.next();
            pages.add(kind);
            owners.add(kind == PageKind.BALLOON ? scan.owner : "");
        }
        return new PageblockPages(start, g.alloc.zoneOf(start).name(), g.pageblockMigratetype(start), pages, owners);
    }

    /** Walks the memmap page by page from a MAX_ORDER boundary, remembering the block it is inside. */
    private static final class Scan {
        private final GuestMemory g;
        private final MemMap map;
        private int pfn;
        /** The end of the free block, or of the high-order allocation, the scan is inside, and its kind. */
        private int blockEnd;
        private PageKind blockKind;
        private String blockOwner = "";
        /** The balloon of the page just classified as BALLOON. */
        private String owner = "";

        Scan(GuestMemory g, int from) {
            this.g = g;
            this.map = g.map;
            this.pfn = from;
        }

        PageKind next() {
            int p = pfn++;
            if (p < blockEnd) {
                owner = blockOwner;
                return blockKind;
            }
            if (map.hasType(p, PageType.BUDDY)) {
                return enter(p, map.pagePrivate[p], map.testFlag(p, PageFlags.PG_reported) ? PageKind.REPORTED : PageKind.FREE);
            }
            if (map.testFlag(p, PageFlags.PG_reserved)) {
                return PageKind.RESERVED;
            }
            int head = map.compoundHead(p);
            if (head != p) {
                return enter(p, map.compoundOrder(head), kind(head), p - head);
            }
            PageKind kind = kind(p);
            int order = map.refcount(p) > 0 ? g.pageOwner.orderOf(p) : 0;
            return order > 0 ? enter(p, order, kind) : kind;
        }

        /** The page at p heads a block of 2^order pages, all of this kind. */
        private PageKind enter(int p, int order, PageKind kind) {
            return enter(p, order, kind, 0);
        }

        /** The page at p is page {@code offset} of a block of 2^order pages, all of this kind. */
        private PageKind enter(int p, int order, PageKind kind, int offset) {
            blockEnd = p - offset + (1 << order);
            blockKind = kind;
            blockOwner = kind == PageKind.BALLOON ? owner : "";
            return kind;
        }

        private PageKind kind(int p) {
            owner = "";
            if (map.refcount(p) <= 0) {
                return PageKind.ISOLATED; // off the free lists with no reference: compaction's, or being freed
            }
            MovableOwners.Registration registration = g.migrate.ownerOf(p);
            if (registration != null && g.migrate.pageMovableIsolated(p) || g.migrate.isolatedLru(p)) {
                return PageKind.ISOLATED;
            }
            if (map.pageType(p) == PageType.OFFLINE) {
                Hypervisor host = g.hostFrames.holder(p);
                if (host == null && registration == null) {
                    return PageKind.OFFLINE;
                }
                owner = host != null ? host.name() : registration.bundle;
                return PageKind.BALLOON;
            }
            if ((map.mapping[p] & MemMap.PAGE_MAPPING_FLAGS) == MemMap.PAGE_MAPPING_ANON || map.testFlag(p, PageFlags.PG_lru)) {
                return PageKind.USER;
            }
            return PageKind.KERNEL;
        }
    }
}
