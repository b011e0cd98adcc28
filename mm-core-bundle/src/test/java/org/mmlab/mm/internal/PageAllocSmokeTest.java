package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;

class PageAllocSmokeTest {
    @Test
    void freeingEverythingAllocatedRestoresTheBootFreeCountAndMaxOrderBlocks() {
        GuestMemory g = new GuestMemory(MmConfig.parse("64M", "32M", "tag", true, true));
        long free0 = g.freePages();
        long[] buddy0 = new long[Mm.NR_PAGE_ORDERS];
        for (Zone z : g.zones) {
            for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
                buddy0[o] += z.nrFree(o);
            }
        }
        Random r = new Random(1);
        List<int[]> held = new ArrayList<>();
        for (int i = 0; i < 20000; i++) {
            if (held.isEmpty() || r.nextInt(3) > 0) {
                int order = r.nextInt(4) == 0 ? r.nextInt(Mm.NR_PAGE_ORDERS) : 0;
                int gfp = r.nextBoolean() ? Gfp.GFP_KERNEL : Gfp.GFP_HIGHUSER_MOVABLE;
                int pfn = g.allocPages(gfp | Gfp.__GFP_NOWARN | Gfp.__GFP_NORETRY, order);
                if (pfn != Mm.NO_PAGE) {
                    held.add(new int[] {pfn, order});
                }
            } else {
                int[] b = held.remove(r.nextInt(held.size()));
                g.freePages(b[0], b[1]);
            }
        }
        for (int[] b : held) {
            g.freePages(b[0], b[1]);
        }
        g.drainAllPages(); // the per-cpu lists hold the last frees: drain_all_pages() gives them to the buddy allocator
        assertThat(g.freePages()).isEqualTo(free0);
        long[] buddy = new long[Mm.NR_PAGE_ORDERS];
        for (Zone z : g.zones) {
            for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
                buddy[o] += z.nrFree(o);
            }
        }
        assertThat(buddy).containsExactly(buddy0);
        assertThat(g.debug.reports()).isZero();
    }
}
