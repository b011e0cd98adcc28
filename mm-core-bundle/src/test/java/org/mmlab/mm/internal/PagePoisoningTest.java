package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;

/** CONFIG_PAGE_POISONING: freed pages hold PAGE_POISON, and a write to a free page is found at allocation. */
class PagePoisoningTest {
    private static GuestMemory boot(boolean poisoning) {
        return new GuestMemory(MmConfig.parse("64M", "32M", "tag", true, true).withPagePoisoning(poisoning));
    }

    @Test
    void freedPagesArePoisonedAndAllocatingThemFindsNothingWrong() {
        GuestMemory g = boot(true);
        int pfn = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        g.content.write(pfn, 42);
        g.freePages(pfn, 0);

        assertThat(g.content.read(pfn)).isEqualTo(Mm.PAGE_POISON_TAG);
        assertThat(g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0)).isEqualTo(pfn);
        assertThat(g.dmesg.lines()).noneMatch(l -> l.contains("memory corruption"));
    }

    @Test
    void aWriteToAFreePageIsReportedWhenThePageIsAllocated() {
        GuestMemory g = boot(true);
        int pfn = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        g.freePages(pfn, 0);
        g.content.write(pfn, 0x1234); // a use after free (or a host that discarded a reported page)

        assertThat(g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0)).isEqualTo(pfn);
        assertThat(String.join("\n", g.dmesg.lines())).contains("pagealloc: memory corruption")
                .contains(String.format("%016x (expected aaaaaaaaaaaaaaaa)", 0x1234));
    }

    @Test
    void withoutPoisoningFreedPagesKeepTheirContent() {
        GuestMemory g = boot(false);
        int pfn = g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        g.content.write(pfn, 42);
        g.freePages(pfn, 0);
        assertThat(g.content.read(pfn)).isEqualTo(42);
    }
}
