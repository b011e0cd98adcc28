package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;
import static org.mmlab.mm.internal.PageAllocInvariantTest.freeArea;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.FragmentResult;
import org.mmlab.mm.admin.Fragmentation;
import org.mmlab.mm.admin.WorkloadControl;

/** mm:workload fragment leaves memory as a long-running guest's: many free pages, few free 2 MiB blocks. */
class WorkloadFragmentTest {
    private static GuestMemory guest(String memory, String dma32) {
        return new GuestMemory(MmConfig.parse(memory, dma32, "tag", true, true));
    }

    /** What every fragmented guest must look like, whatever its size. */
    private static void assertFragmented(GuestMemory g, Workload w, FragmentResult r) {
        Fragmentation s = r.shares();
        assertThat(r.reached()).as(r.describe()).isTrue();
        assertThat(s.order9Share()).as(r.describe()).isLessThan(r.targetPercent() / 100);
        assertThat(r.freeShare()).as(r.describe()).isBetween(0.40, 0.60);
        assertThat(s.freePages()).isEqualTo(g.freePages());
        // the kernel's scatter: unmovable pages in some pageblocks, Movable ones among them, most left clean
        assertThat(r.slabInMovableBlocks()).as(r.describe()).isPositive();
        assertThat(s.unmovablePageblocks()).as(r.describe()).isGreaterThan(1);
        assertThat(s.bestShare()).as(r.describe()).isGreaterThan(0.5);
        // the processes are alive, with their pages mapped, on the LRU and holding what they wrote
        assertThat(w.running()).isTrue();
        assertThat(w.mappedPages()).isEqualTo(r.mappedPages()).isPositive();
        assertThat(r.mappedPages()).isEqualTo(r.faulted() - r.unmapped());
        List<String> problems = new ArrayList<>();
        assertThat(w.verifyContent(problems::add)).isZero();
        assertThat(problems).isEmpty();
        assertOk(g, w);
        assertThat(w.oomKills()).isZero();
        assertThat(g.debug.reports()).isZero();
        assertThat(FragmentationShares.measure(g)).isEqualTo(s);
    }

    @Test
    void fragmentingA256MiBGuestLeavesHalfOfMemoryFreeAndAlmostNoneOfItInFree2MiBBlocks() {
        GuestMemory g = guest("256M", "3G");
        Workload w = new Workload(g);
        FragmentResult r = w.fragment(1, 5);
        assertFragmented(g, w, r);
        assertThat(r.processes()).isEqualTo(WorkloadControl.DEFAULT_FRAGMENT_PROCESSES);
        assertThat(r.describe()).contains("fragment: seed 1, 64 processes", "unmovable: ", "free in order>=9 blocks: ",
                "best the layout allows: ", "target: below 5% of free pages in order>=9 blocks: reached");
        assertThat(w.status()).contains("fragmented, prepared for step()", "64 alive", "data loss: 0");
        w.stop();
    }

    @Test
    void fragmentingTheDefault4GiBGuestReachesTheTargetWithHalfOfMemoryFree() {
        GuestMemory g = guest("4G", "3G");
        Workload w = new Workload(g);
        FragmentResult r = w.fragment(1, WorkloadControl.DEFAULT_TARGET_PERCENT);
        assertFragmented(g, w, r);
        // both zones got their share of the scatter: a long uptime is not tidy
        for (Zone z : g.zones) {
            long unmovableBlocks = 0;
            for (int pfn = z.startPfn; pfn < z.endPfn; pfn += Mm.PAGEBLOCK_NR_PAGES) {
                unmovableBlocks += g.map.pageblockMigratetype(pfn) == MigrateType.UNMOVABLE ? 1 : 0;
            }
            assertThat(unmovableBlocks).as(z.name).isPositive();
        }
        w.stop();
        assertOk(g, w);
    }

    @ParameterizedTest(name = "{0} with {1} of DMA32")
    @CsvSource({"16M, 3G", "64M, 32M", "512M, 256M"})
    void guestsOfOtherSizesAreFragmentedTheSameWay(String memory, String dma32) {
        GuestMemory g = guest(memory, dma32);
        Workload w = new Workload(g);
        assertFragmented(g, w, w.fragment(5, 5));
        w.stop();
        assertOk(g, w);
    }

    @Test
    void theSameSeedLeavesTheSameMemoryAndAnotherSeedAnother() {
        GuestMemory a = guest("256M", "128M");
        GuestMemory b = guest("256M", "128M");
        GuestMemory c = guest("256M", "128M");
        Workload wa = new Workload(a);
        Workload wb = new Workload(b);
        Workload wc = new Workload(c);
        FragmentResult ra = wa.fragment(42, 5);
        FragmentResult rb = wb.fragment(42, 5);
        FragmentResult rc = wc.fragment(43, 5);
        assertThat(withoutTime(rb)).isEqualTo(withoutTime(ra));
        // every struct page, pageblock and content tag, not just the counts
        assertThat(b.map.flags).isEqualTo(a.map.flags);
        assertThat(b.map.refcount).isEqualTo(a.map.refcount);
        assertThat(b.map.mapcountOrType).isEqualTo(a.map.mapcountOrType);
        assertThat(b.map.mapping).isEqualTo(a.map.mapping);
        assertThat(b.map.index).isEqualTo(a.map.index);
        assertThat(b.map.next).isEqualTo(a.map.next);
        assertThat(b.map.pageblockFlags).isEqualTo(a.map.pageblockFlags);
        for (int pfn = 0; pfn < a.map.nrPages; pfn++) {
            if (a.content.read(pfn) != b.content.read(pfn)) {
                throw new AssertionError(String.format("pfn %#x: %016x and %016x", pfn, a.content.read(pfn),
                        b.content.read(pfn)));
            }
        }
        assertThat(wb.status()).isEqualTo(wa.status());
        assertThat(c.map.refcount).isNotEqualTo(a.map.refcount);
        assertFragmented(c, wc, rc);
        wa.stop();
        wb.stop();
        wc.stop();
    }

    @Test
    void stoppingAFragmentedWorkloadReturnsEveryPage() {
        GuestMemory g = guest("256M", "128M");
        Workload w = new Workload(g);
        long free0 = g.freePages();
        long[] area0 = freeArea(g);
        w.fragment(9, 5);
        assertThat(g.freePages()).isLessThan(free0);
        w.stop();
        g.drainAllPages(); // the per-cpu lists hold the last frees: drain_all_pages() gives them to the buddy allocator
        assertThat(g.freePages()).isEqualTo(free0);
        assertThat(freeArea(g)).as("every free block merged back as at boot").containsExactly(area0);
        assertThat(g.vmstat.get(VmItem.NR_ANON_PAGES)).isZero();
        assertThat(g.vmstat.get(VmItem.NR_PAGETABLE)).isZero();
        assertThat(g.vmstat.get(VmItem.NR_INACTIVE_ANON)).isZero();
        Fragmentation s = FragmentationShares.measure(g);
        assertThat(s.unmovablePages()).isEqualTo(GuestMemory.RESERVED_LOW_PAGES);
        assertThat(w.fragmented()).isNull();
        assertThat(w.status()).contains("stopped");
        assertOk(g, w);
        // and a new fragment can follow
        assertFragmented(g, w, w.fragment(9, 5));
        w.stop();
    }

    @Test
    void startRefusesAFragmentedWorkloadAndSaysWhatToDo() {
        GuestMemory g = guest("64M", "32M");
        Workload w = new Workload(g);
        w.fragment(2, 5);
        String expected = "the fragmented workload (seed 2, 64 processes) holds its memory until stopped: it does not"
                + " start running; stop it first (mm:workload stop)";
        assertThatThrownBy(() -> w.start(1, 2, 64, 1)).isInstanceOf(IllegalStateException.class).hasMessage(expected);
        assertThatThrownBy(() -> w.prepare(1, 2, 64)).isInstanceOf(IllegalStateException.class).hasMessage(expected);
        assertThatThrownBy(() -> w.fragment(3, 5)).isInstanceOf(IllegalStateException.class).hasMessage(expected);
        assertThat(w.running()).isTrue();
        assertOk(g, w);
        w.stop();
        w.start(1, 2, 64, 1);
        assertThatThrownBy(() -> w.fragment(3, 5)).isInstanceOf(IllegalStateException.class)
                .hasMessage("workload already running (stop it first)");
        w.stop();
        assertOk(g, w);
    }

    @Test
    void aFragmentedWorkloadCanBeSteppedAndKeepsItsData() {
        GuestMemory g = guest("64M", "32M");
        Workload w = new Workload(g);
        w.fragment(4, 5);
        w.step(20_000);
        assertThat(w.dataLoss()).isZero();
        assertThat(w.opsDone()).isEqualTo(20_000);
        assertOk(g, w);
        w.stop();
        assertOk(g, w);
    }

    @Test
    void badTargetsAndProcessCountsAreRefusedBeforeAnythingIsSetUp() {
        GuestMemory g = guest("64M", "32M");
        Workload w = new Workload(g);
        for (double t : new double[] {0, -1, 100.5, Double.NaN}) {
            assertThatThrownBy(() -> w.fragment(1, t)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be more than 0 and at most 100");
        }
        assertThatThrownBy(() -> w.fragment(1, 0, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("processes=0: must be 1..4096");
        assertThat(w.running()).isFalse();
        assertThat(w.status()).isEqualTo("workload: not running (never started)");
    }

    private static FragmentResult withoutTime(FragmentResult r) {
        return new FragmentResult(r.seed(), r.processes(), r.pagesPerProcess(), r.targetPercent(), r.faulted(),
                r.peakMapped(), r.unmapped(), r.slabPages(), r.slabInMovableBlocks(), r.mappedPages(),
                r.pageTablePages(), r.managedPages(), r.freePages(), r.shares(), r.reached(), 0);
    }
}
