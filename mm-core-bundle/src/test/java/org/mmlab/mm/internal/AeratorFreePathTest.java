package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.hinting.AeratorHooks;
import org.mmlab.mm.hinting.PageAllocHinting;

/**
 * mm/page_alloc.c's side of the 2019 aerator ([PATCH v1 4/6-5/6]): get_aeration_page(), put_aeration_page(),
 * PageAerated with nr_free_aerated, aerator_notify_free() and the boundary-aware tail insertion.
 */
class AeratorFreePathTest {
    private static final int MOVABLE = MigrateType.MOVABLE.ordinal();
    private static final int TOP = Mm.MAX_PAGE_ORDER;
    private final GuestMemory g = HandBuiltGuest.boot();
    private final HintingCore h = g.hinting();
    /** Zone Normal: eight order-10 blocks at boot (HandBuiltGuest). */
    private final int normal = 1;
    private final int list = h.freeList(normal, TOP, MOVABLE);

    /** The seed's boundary pointers, for one zone, as the test's stand-in for mm/aeration.c. */
    private final class Boundaries implements AeratorHooks {
        final int[][] boundary = new int[Mm.NR_PAGE_ORDERS][Zone.NR_MIGRATETYPES];
        final List<Integer> notified = new ArrayList<>();

        Boundaries() {
            for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
                for (int mt = 0; mt < Zone.NR_MIGRATETYPES; mt++) {
                    boundary[o][mt] = h.freeList(normal, o, mt); // aerator_reset_boundary()
                }
            }
        }

        @Override
        public void aeratorNotify(int zone) {
            notified.add(zone);
        }

        @Override
        public int aeratorGetTail(int zone, int order, int mt) {
            return boundary[order][mt];
        }

        @Override
        public void aeratorAddToBoundary(int pfn, int zone, int order, int mt) {
            boundary[order][mt] = pfn;
        }

        @Override
        public void aeratorDelFromBoundary(int pfn, int zone, int order, int mt) {
            if (boundary[order][mt] == pfn) {
                boundary[order][mt] = h.listNext(pfn);
            }
        }
    }

    private List<Integer> listOf(int head) {
        List<Integer> out = new ArrayList<>();
        for (int id = h.listNext(head); id != head; id = h.listNext(id)) {
            out.add(id);
        }
        return out;
    }

    @Test
    void aeratedPagesGoBackAsOneBlockAtTheTailAndRawOnesStayAboveTheBoundary() {
        Boundaries b = new Boundaries();
        h.aeratorInstall(b);
        List<Integer> before = listOf(list);
        h.spinLock(normal);
        try {
            int first = h.getAerationPage(normal, TOP, MOVABLE);
            int second = h.getAerationPage(normal, TOP, MOVABLE);
            assertThat(first).as("from the tail backwards").isEqualTo(before.get(before.size() - 1));
            assertThat(second).isEqualTo(before.get(before.size() - 2));
            assertThat(h.pagePrivate(first)).isEqualTo(TOP);
            assertThat(h.hintedPages()).isEqualTo(2L << TOP);
            h.setZoneFlag(normal, PageAllocHinting.ZONE_AERATION_ACTIVE); // aerator_populate_boundaries()
            h.putAerationPage(normal, first);
            h.putAerationPage(normal, second);
            assertThat(h.pageAerated(first)).isTrue();
            assertThat(Kpageflags.flagsOf(g, first)).as("v5.2: PageBuddy and PageOffline at once")
                    .isEqualTo(1L << Kpageflags.KPF_BUDDY | 1L << Kpageflags.KPF_OFFLINE);
            assertThat(g.dumpPage(first, "test")).contains("page_type: f0(buddy|aerated)");
            assertThat(h.nrFreeAerated(normal, TOP)).isEqualTo(2);
            assertThat(b.boundary[TOP][MOVABLE]).as("the last page put back is the boundary").isEqualTo(second);
            List<Integer> after = listOf(list);
            assertThat(after.subList(after.size() - 2, after.size())).containsExactly(second, first);
            // a raw page freed to the tail goes above the boundary: before the aerated block
            int raw = h.getAerationPage(normal, TOP, MOVABLE);
            h.putbackIsolatedPage(raw, TOP, MOVABLE);
            after = listOf(list);
            assertThat(after.subList(after.size() - 3, after.size())).containsExactly(raw, second, first);
        } finally {
            h.spinUnlock(normal);
        }
        assertThat(MmCheck.run(g, null).ok()).isTrue();
    }

    @Test
    void allocatingTheBoundaryPagePushesTheBoundaryBackAndUnmarksIt() {
        Boundaries b = new Boundaries();
        h.aeratorInstall(b);
        List<Integer> all = listOf(list);
        h.spinLock(normal);
        try {
            for (int i = 0; i < all.size(); i++) {
                h.getAerationPage(normal, TOP, MOVABLE);
            }
            h.setZoneFlag(normal, PageAllocHinting.ZONE_AERATION_ACTIVE);
            for (int pfn : all) {
                h.putAerationPage(normal, pfn);
            }
            assertThat(h.getAerationPage(normal, TOP, MOVABLE)).as("every page is aerated").isEqualTo(Mm.NO_PAGE);
        } finally {
            h.spinUnlock(normal);
        }
        int boundary = b.boundary[TOP][MOVABLE];
        assertThat(h.listNext(list)).isEqualTo(boundary);

        int pfn = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, TOP);

        assertThat(pfn).isEqualTo(boundary);
        assertThat(h.pageAerated(pfn)).isFalse();
        assertThat(b.boundary[TOP][MOVABLE]).isEqualTo(h.listNext(list));
        assertThat(h.nrFreeAerated(normal, TOP)).isEqualTo(all.size() - 1);
        assertThat(MmCheck.run(g, null).ok()).isTrue();
    }

    @Test
    void anAeratedPageThatMergesIsNotAeratedAndTellsTheAerator() {
        Boundaries b = new Boundaries();
        h.aeratorInstall(b);
        h.aeratorNotifyEnable(true);
        int block = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, TOP);
        int lower = block;
        int upper = block + (1 << Mm.PAGEBLOCK_ORDER);
        g.alloc.freeFrozenPages(upper, Mm.PAGEBLOCK_ORDER, 0);
        h.spinLock(normal);
        try {
            int raw = h.getAerationPage(normal, Mm.PAGEBLOCK_ORDER, MOVABLE);
            assertThat(raw).isEqualTo(upper);
            g.map.setRefcount(lower, 0);
            g.alloc.freeOnePage(lower, g.zones[normal], Mm.PAGEBLOCK_ORDER, MOVABLE, 0); // the buddy is hinted: no merge
            h.putAerationPage(normal, raw); // merges with lower into an order-10 block
        } finally {
            h.spinUnlock(normal);
        }
        assertThat(h.pageAerated(lower)).isFalse();
        assertThat(h.nrFreeAerated(normal, TOP)).isZero();
        assertThat(b.notified).as("aerator_notify_free(): 8 raw order-10 pages are below AERATOR_HWM").isEmpty();
    }

    @Test
    void theHighWaterMarkOfRawPagesAsksForAerationOncePerZone() {
        GuestMemory big = new GuestMemory(MmConfig.parse("512M", "256M", "tag", true, true));
        HintingCore hb = big.hinting();
        List<Integer> notified = new ArrayList<>();
        hb.aeratorInstall(new AeratorHooks() {
            @Override
            public void aeratorNotify(int zone) {
                notified.add(zone);
                hb.setZoneFlag(zone, PageAllocHinting.ZONE_AERATION_REQUESTED); // __aerator_notify()
            }

            @Override
            public int aeratorGetTail(int zone, int order, int mt) {
                return hb.freeList(zone, order, mt);
            }

            @Override
            public void aeratorAddToBoundary(int pfn, int zone, int order, int mt) {
            }

            @Override
            public void aeratorDelFromBoundary(int pfn, int zone, int order, int mt) {
            }
        });
        int pfn = big.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, TOP); // Normal: 64 order-10 blocks, 63 left
        big.freePages(pfn, TOP);
        assertThat(notified).as("the static key is off").isEmpty();

        hb.aeratorNotifyEnable(true);
        big.freePages(big.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, TOP), TOP);
        big.freePages(big.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, TOP), TOP);
        big.freePages(big.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0), 0);

        assertThat(notified).as("64 raw order-10 pages >= AERATOR_HWM; then ZONE_AERATION_REQUESTED").containsExactly(1);
    }

    @Test
    void mmCheckCountsTheAeratedBlocksAgainstNrFreeAerated() {
        h.aeratorInstall(new Boundaries());
        h.spinLock(normal);
        try {
            int pfn = h.getAerationPage(normal, TOP, MOVABLE);
            h.putAerationPage(normal, pfn);
            assertThat(h.pageAerated(pfn)).as("not ZONE_AERATION_ACTIVE: set_page_aerated() all the same").isTrue();
            g.zones[normal].nrFreeAerated[TOP]++;
        } finally {
            h.spinUnlock(normal);
        }

        CheckResult r = MmCheck.run(g, null);

        assertThat(r.verdict()).isEqualTo("mm:check: FAIL nr_free_aerated: 1");
        assertThat(r.text()).contains("Normal order 10: 1 PageAerated blocks on the lists, free_area.nr_free_aerated says 2");
    }
}
