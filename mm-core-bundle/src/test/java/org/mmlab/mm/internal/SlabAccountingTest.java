package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.admin.FragmentResult;
import org.mmlab.mm.admin.WorkloadControl;

/**
 * Slab pages are counted as the kernel counts them: account_slab() adds their bytes to
 * NR_SLAB_UNRECLAIMABLE_B, which /proc/meminfo shows as Slab and SUnreclaim and /proc/vmstat as
 * nr_slab_unreclaimable, in pages; mm:check holds the counter to the memmap.
 */
class SlabAccountingTest {
    private static GuestMemory guest() {
        return new GuestMemory(MmConfig.parse("256M", "3G", "tag", true, true));
    }

    /** Pages in slab folios, from the memmap: PGTY_slab on the head, the folio's order in its first tail. */
    private static long slabPagesInMemmap(GuestMemory g) {
        long n = 0;
        for (int pfn = 0; pfn < g.nrPages(); pfn++) {
            if (g.map.hasType(pfn, PageType.SLAB)) {
                n += g.map.testFlag(pfn, PageFlags.PG_head) ? 1L << g.map.compoundOrder(pfn) : 1;
            }
        }
        return n;
    }

    private static String meminfoLine(GuestMemory g, String label) {
        return Meminfo.show(g).lines().filter(l -> l.startsWith(label + ":")).findFirst().orElseThrow();
    }

    @Test
    void aFragmentedGuestsSlabPagesShowInMeminfoAndVmstatUntilTheWorkloadStops() {
        GuestMemory g = guest();
        Workload w = new Workload(g);

        FragmentResult r = w.fragment(1, WorkloadControl.DEFAULT_TARGET_PERCENT);

        long slab = slabPagesInMemmap(g);
        assertThat(slab).isPositive().isEqualTo(r.slabPages());
        assertThat(meminfoLine(g, "Slab")).isEqualTo(String.format("Slab:           %8d kB", slab * 4));
        assertThat(meminfoLine(g, "SUnreclaim")).isEqualTo(String.format("SUnreclaim:     %8d kB", slab * 4));
        assertThat(meminfoLine(g, "SReclaimable")).isEqualTo("SReclaimable:          0 kB");
        assertThat(VmstatView.show(g)).contains("\nnr_slab_unreclaimable " + slab + "\n");
        assertOk(g, w);

        w.stop();

        assertThat(g.vmstat.get(VmItem.NR_SLAB_UNRECLAIMABLE_B)).isZero();
        assertThat(meminfoLine(g, "Slab")).isEqualTo("Slab:                  0 kB");
        assertOk(g, w);
    }

    @Test
    void aRunningWorkloadsHigherOrderSlabsCountEveryPageOfTheirFolio() {
        GuestMemory g = guest();
        Workload w = new Workload(g);
        w.prepare(5, 8, 1024);

        w.step(40_000);

        long slab = slabPagesInMemmap(g);
        long folios = 0;
        long compound = 0;
        for (int pfn = 0; pfn < g.nrPages(); pfn++) {
            if (g.map.hasType(pfn, PageType.SLAB)) {
                folios++;
                compound += g.map.testFlag(pfn, PageFlags.PG_head) ? 1 : 0;
            }
        }
        assertThat(compound).as("order 1-3 slabs among %d", folios).isPositive();
        assertThat(slab).isGreaterThan(folios);
        assertThat(g.vmstat.get(VmItem.NR_SLAB_UNRECLAIMABLE_B)).isEqualTo(slab);
        assertOk(g, w);
        w.stop();
        assertThat(g.vmstat.get(VmItem.NR_SLAB_UNRECLAIMABLE_B)).isZero();
    }

    @Test
    void theCounterChangesInWholePagesOfBytesAndKeepsPages() {
        GuestMemory g = guest();

        g.vmstat.add(VmItem.NR_SLAB_UNRECLAIMABLE_B, 3L * Mm.PAGE_SIZE);

        assertThat(g.vmstat.get(VmItem.NR_SLAB_UNRECLAIMABLE_B)).isEqualTo(3);
        assertThatThrownBy(() -> g.vmstat.add(VmItem.NR_SLAB_UNRECLAIMABLE_B, 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole pages");
        assertThat(g.vmstat.get(VmItem.NR_SLAB_UNRECLAIMABLE_B)).isEqualTo(3);
    }

    @Test
    void aSlabPageTheCounterDoesNotKnowFailsMmCheck() {
        GuestMemory g = guest();
        int pfn = g.allocPages(Gfp.GFP_KERNEL, 0);
        g.map.setType(pfn, PageType.SLAB); // __folio_set_slab() without account_slab()

        CheckResult r = MmCheck.run(g, null);

        assertThat(r.verdict()).as(r.text()).startsWith("mm:check: FAIL nr_slab_unreclaimable");
        assertThat(r.text()).contains("nr_slab_unreclaimable is 0, but 1 pages are in slab folios");
    }
}
