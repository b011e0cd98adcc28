package org.mmlab.mm.internal;

import static org.mmlab.mm.internal.PageAlloc.ALLOC_HIGHATOMIC;
import static org.mmlab.mm.internal.PageAlloc.ALLOC_MIN_RESERVE;
import static org.mmlab.mm.internal.PageAlloc.ALLOC_NON_BLOCK;
import static org.mmlab.mm.internal.PageAlloc.ALLOC_OOM;
import static org.mmlab.mm.internal.PageAlloc.ALLOC_RESERVES;
import static org.mmlab.mm.internal.PageAlloc.HIGHATOMIC;

import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;

/**
 * Models mm/page_alloc.c's zone watermarks: __zone_watermark_ok(), which every allocation and the
 * free-page isolation of compaction and reporting test, and what boot sets them to:
 * setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve() and totalreserve_pages, with the
 * kernel's default sysctls.
 */
final class PageAllocWatermarks {
    private PageAllocWatermarks() {
    }

    /** __zone_watermark_ok(). */
    static boolean zoneWatermarkOk(Zone z, int order, long mark, int highestZoneIdx, int allocFlags, long freePages) {
        long min = mark;
        long unusable = (1L << order) - 1;
        if ((allocFlags & ALLOC_RESERVES) == 0) {
            unusable += z.nrReservedHighatomic;
        }
        freePages -= unusable;
        if ((allocFlags & ALLOC_RESERVES) != 0) {
            if ((allocFlags & ALLOC_MIN_RESERVE) != 0) {
                min -= min / 2;
                if ((allocFlags & ALLOC_NON_BLOCK) != 0) {
                    min -= min / 4;
                }
            }
            if ((allocFlags & ALLOC_OOM) != 0) {
                min -= min / 2;
            }
        }
        if (freePages <= min + z.lowmemReserve[highestZoneIdx]) {
            return false;
        }
        if (order == 0) {
            return true;
        }
        for (int o = order; o < Mm.NR_PAGE_ORDERS; o++) {
            if (z.nrFree[o] == 0) {
                continue;
            }
            for (int mt = 0; mt < MigrateType.PCPTYPES; mt++) {
                if (!z.freeAreaEmpty(o, mt)) {
                    return true;
                }
            }
            if ((allocFlags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) != 0 && !z.freeAreaEmpty(o, HIGHATOMIC)) {
                return true;
            }
        }
        return false;
    }

    /** setup_per_zone_wmarks() and setup_per_zone_lowmem_reserve(), with the kernel's default sysctls. */
    static void setupWatermarks(Zone[] zones) {
        long lowmemPages = 0;
        for (Zone z : zones) {
            lowmemPages += z.managedPages;
        }
        // calculate_min_free_kbytes(): sqrt(lowmem_kbytes * 16), clamped to [128, 262144]
        long lowmemKbytes = lowmemPages * (Mm.PAGE_SIZE / 1024);
        long minFreeKbytes = Math.max(128, Math.min(262144, (long) Math.sqrt((double) lowmemKbytes * 16)));
        long pagesMin = minFreeKbytes >> (Mm.PAGE_SHIFT - 10);
        int watermarkScaleFactor = 10;
        for (Zone z : zones) {
            long tmp = pagesMin * z.managedPages / Math.max(1, lowmemPages);
            z.watermark[Zone.WMARK_MIN] = tmp;
            long gap = Math.max(tmp >> 2, z.managedPages * watermarkScaleFactor / 10000);
            z.watermark[Zone.WMARK_LOW] = tmp + gap;
            z.watermark[Zone.WMARK_HIGH] = tmp + 2 * gap;
            z.watermark[Zone.WMARK_PROMO] = tmp + 3 * gap;
        }
        // sysctl_lowmem_reserve_ratio: DMA32 256, Normal 32
        for (int i = 0; i < zones.length; i++) {
            Zone z = zones[i];
            z.lowmemReserve = new long[zones.length];
            long managed = 0;
            for (int j = i + 1; j < zones.length; j++) {
                managed += zones[j].managedPages;
                z.lowmemReserve[j] = managed / (i == 0 && zones.length > 1 ? 256 : 32);
            }
        }
    }

    /** totalreserve_pages: per zone, the largest lowmem reserve plus the high watermark. */
    static long totalReservePages(Zone[] zones) {
        long total = 0;
        for (Zone z : zones) {
            long max = 0;
            for (long r : z.lowmemReserve) {
                max = Math.max(max, r);
            }
            total += Math.min(max + z.watermark[Zone.WMARK_HIGH], z.managedPages);
        }
        return total;
    }
}
