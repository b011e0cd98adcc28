package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.mm.internal.HandBuiltGuest.DMA32_MOVABLE;

import org.junit.jupiter.api.Test;

/** /proc/zoneinfo as zoneinfo_show_print() prints it, of the 64 MiB hand-built guest. */
class ZoneinfoTest {
    @Test
    void eachZoneIsPrintedInTheKernelsLayoutAndOnlyTheFirstWithTheNodesStats() {
        GuestMemory g = HandBuiltGuest.boot();
        Zone normal = HandBuiltGuest.normal(g);
        long[] wm = normal.watermark;

        String[] zones = Zoneinfo.show(g).split("(?=Node 0, zone )");

        assertThat(zones).hasSize(2);
        assertThat(zones[0]).startsWith("Node 0, zone    DMA32\n  per-node stats\n      nr_inactive_anon 0\n")
                .contains("\n      nr_balloon_pages 0\n  pages free     " + HandBuiltGuest.dma32(g).freePages + "\n");
        assertThat(zones[1]).isEqualTo("Node 0, zone   Normal"
                + "\n  pages free     8192"
                + "\n        boost    0"
                + "\n        min      " + wm[Zone.WMARK_MIN]
                + "\n        low      " + wm[Zone.WMARK_LOW]
                + "\n        high     " + wm[Zone.WMARK_HIGH]
                + "\n        promo    " + wm[Zone.WMARK_PROMO]
                + "\n        spanned  8192"
                + "\n        present  8192"
                + "\n        managed  8192"
                + "\n        cma      0"
                + "\n        protection: (0, 0)"
                + "\n      nr_free_pages 8192"
                + "\n      nr_zone_inactive_anon 0"
                + "\n  pagesets"
                + "\n    cpu: 0"
                + "\n              count:    0"
                + "\n              high:     0"
                + "\n              batch:    " + normal.perCpuPageset[0].batch
                + "\n              high_min: " + normal.perCpuPageset[0].highMin
                + "\n              high_max: " + normal.perCpuPageset[0].highMax
                + "\n  vm stats threshold: 0"
                + "\n  node_unreclaimable:  0"
                + "\n  start_pfn:           8192\n");
        assertThat(wm[Zone.WMARK_MIN]).isPositive().isLessThan(wm[Zone.WMARK_LOW]);
    }

    @Test
    void aFreedPageShowsOnItsCpusPagesetAndTheHighFractionSetsItsLimits() {
        GuestMemory g = HandBuiltGuest.boot();
        int pfn = g.allocPages(DMA32_MOVABLE, 0);
        g.freePages(pfn, 0);

        g.allocator().pcp.setPercpuPagelistHighFraction(8);

        // zone_highsize(): managed / vm.percpu_pagelist_high_fraction, for both limits (v5.14)
        assertThat(dma32(g)).contains("\n              count:    1\n")
                .contains("\n              high_min: " + HandBuiltGuest.DMA32_MANAGED / 8 + "\n")
                .contains("\n              high_max: " + HandBuiltGuest.DMA32_MANAGED / 8 + "\n");
    }

    private static String dma32(GuestMemory g) {
        return Zoneinfo.show(g).split("(?=Node 0, zone )")[0];
    }
}
