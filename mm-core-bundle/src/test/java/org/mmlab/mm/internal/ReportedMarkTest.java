package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.Mm;

class ReportedMarkTest {
    private final GuestMemory g = new GuestMemory(MmConfig.parse("16M", "16M", "tag", true, true));

    /** A free block of the given order, back on the free lists; returns its head. */
    private int freeBlock(int order) {
        int pfn = g.allocPages(Gfp.GFP_KERNEL, order);
        g.freePages(pfn, order);
        return pfn;
    }

    @Test
    void aReportedFreeBlockLosesItsMarkWhenAllocated() {
        int pfn = freeBlock(Mm.MAX_PAGE_ORDER);
        Zone z = g.alloc.zoneOf(pfn);
        z.lock.lock();
        try {
            g.alloc.setPageReported(pfn);
        } finally {
            z.lock.unlock();
        }
        assertThat(g.alloc.pageReported(pfn)).isTrue();

        int again = g.allocPages(Gfp.GFP_KERNEL, Mm.MAX_PAGE_ORDER);

        assertThat(again).isEqualTo(pfn);
        assertThat(g.alloc.pageReported(pfn)).isFalse();
        assertThat(g.map.testFlag(pfn, org.mmlab.mm.PageFlags.PG_reported)).isFalse();
    }

    @Test
    void onlyAFreeBlockCanBeMarkedReported() {
        int pfn = g.allocPages(Gfp.GFP_KERNEL, 0);

        assertThatThrownBy(() -> g.alloc.setPageReported(pfn)).isInstanceOf(KernelBug.class);
        assertThat(g.dmesg.lines()).anyMatch(l -> l.contains("VM_BUG_ON_PAGE(!PageBuddy(page))"));
    }
}
