package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.hinting.PageReportingHooks;

/** mm/page_alloc.c's side of mainline free page reporting (v5.7): isolation, putback, marks and the notify. */
class HintingIsolationTest {
    private static final int MOVABLE = MigrateType.MOVABLE.ordinal();
    private final GuestMemory g = HandBuiltGuest.boot();
    private final HintingCore h = g.hinting();
    /** Zone Normal: eight order-10 blocks at boot (HandBuiltGuest). */
    private final int normal = 1;

    private int firstFree(int order) {
        return h.listNext(h.freeList(normal, order, MOVABLE));
    }

    @Test
    void anIsolatedBlockIsHintedUntilPutBackAtTheTailOfItsList() {
        int head = h.freeList(normal, Mm.MAX_PAGE_ORDER, MOVABLE);
        int pfn = firstFree(Mm.MAX_PAGE_ORDER);
        h.spinLock(normal);
        try {
            assertThat(h.isolateFreePage(pfn, Mm.MAX_PAGE_ORDER)).isEqualTo(1 << Mm.MAX_PAGE_ORDER);
        } finally {
            h.spinUnlock(normal);
        }
        assertThat(h.hintedPages()).isEqualTo(1 << Mm.MAX_PAGE_ORDER);
        assertThat(h.pageBuddy(pfn)).isFalse();
        h.pageReportingEnable(() -> { }, Mm.PAGEBLOCK_ORDER); // a design holds the pages
        CheckResult during = MmCheck.run(g, null);
        assertThat(during.ok()).as(during.text()).isTrue();
        assertThat(during.text()).contains("+ 1024 hinted", "hinting: 1024 free pages off the free lists");

        h.spinLock(normal);
        try {
            h.putbackIsolatedPage(pfn, Mm.MAX_PAGE_ORDER, MOVABLE);
            h.setPageReported(pfn);
        } finally {
            h.spinUnlock(normal);
        }
        assertThat(h.hintedPages()).isZero();
        assertThat(g.lists.last(head)).as("__putback_isolated_page() frees to the tail (FPI_TO_TAIL)").isEqualTo(pfn);
        assertThat(h.pageReported(pfn)).isTrue();
        assertThat(MmCheck.run(g, null).ok()).isTrue();
    }

    @Test
    void hintedPagesWithNoDesignToPutThemBackFailTheCheck() {
        int pfn = firstFree(Mm.MAX_PAGE_ORDER);
        h.spinLock(normal);
        try {
            h.isolateFreePage(pfn, Mm.MAX_PAGE_ORDER);
        } finally {
            h.spinUnlock(normal);
        }

        CheckResult r = MmCheck.run(g, null);

        assertThat(r.ok()).isFalse();
        assertThat(r.verdict()).startsWith("mm:check: FAIL page off the free lists for hinting");
        assertThat(r.text()).contains("1024 pages are off the free lists for hinting, but no hinting design is"
                + " installed to put them back: they are lost");
    }

    @Test
    void isolationWithoutTheZoneLockIsRefusedWithAWarning() {
        int pfn = firstFree(Mm.MAX_PAGE_ORDER);

        assertThatThrownBy(() -> h.isolateFreePage(pfn, Mm.MAX_PAGE_ORDER)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without zone->lock");
        assertThat(String.join("\n", g.dmesg.lines())).contains("lockdep_assert_held(&zone->lock)",
                "WARNING: CPU: 0 PID:", "__isolate_free_page");
        assertThat(h.pageBuddy(pfn)).isTrue();
    }

    @Test
    void freesFromPageReportingOrderOnNotifyTheDesignButPutbacksDoNot() {
        List<Integer> notified = new ArrayList<>();
        PageReportingHooks hooks = () -> notified.add(1);
        h.pageReportingEnable(hooks, Mm.PAGEBLOCK_ORDER);

        int small = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        g.freePages(small, 0);
        assertThat(notified).as("on the per-cpu list: not yet in the buddy allocator").isEmpty();
        g.drainAllPages();
        assertThat(notified).as("an order-0 free merges back up to order 10: notified once").hasSize(1);
        int block = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, Mm.PAGEBLOCK_ORDER);
        g.freePages(block, Mm.PAGEBLOCK_ORDER);
        assertThat(notified).hasSize(2);

        int pfn = firstFree(Mm.MAX_PAGE_ORDER);
        h.spinLock(normal);
        try {
            h.isolateFreePage(pfn, Mm.MAX_PAGE_ORDER);
            h.putbackIsolatedPage(pfn, Mm.MAX_PAGE_ORDER, MOVABLE);
        } finally {
            h.spinUnlock(normal);
        }
        assertThat(notified).as("FPI_SKIP_REPORT_NOTIFY").hasSize(2);

        h.pageReportingDisable(hooks);
        g.freePages(g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, Mm.PAGEBLOCK_ORDER), Mm.PAGEBLOCK_ORDER);
        assertThat(notified).hasSize(2);
    }

    @Test
    void aPageReportingOrderAboveTheFreedBlockKeepsTheNotifyQuiet() {
        List<Integer> notified = new ArrayList<>();
        h.pageReportingEnable(() -> notified.add(1), Mm.MAX_PAGE_ORDER);
        int a = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, Mm.MAX_PAGE_ORDER);
        int b = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, Mm.MAX_PAGE_ORDER);

        // the upper half of each block: its buddy, the lower half, is still allocated, so no merge
        g.alloc.freeFrozenPages(a + (1 << Mm.PAGEBLOCK_ORDER), Mm.PAGEBLOCK_ORDER, 0);
        assertThat(notified).isEmpty();
        h.setPageReportingOrder(Mm.PAGEBLOCK_ORDER);
        g.alloc.freeFrozenPages(b + (1 << Mm.PAGEBLOCK_ORDER), Mm.PAGEBLOCK_ORDER, 0);
        assertThat(notified).hasSize(1);
    }
}
