package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;
import static org.mmlab.mm.internal.PageAllocInvariantTest.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageType;
import org.mmlab.mm.admin.CheckResult;

/** The simulated processes fragment memory, keep their data, and give every page back. */
class WorkloadTest {
    /** /proc/buddyinfo and /proc/pagetypeinfo's counts, as numbers. */
    private static List<Long> buddyinfo(GuestMemory g) {
        List<Long> out = new ArrayList<>();
        for (Zone z : g.zones) {
            for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
                for (MigrateType mt : MigrateType.values()) {
                    out.add(z.nrFree(o, mt));
                }
            }
        }
        return out;
    }

    /** Pageblocks holding unmovable kernel pages (slab or page tables). */
    private static long pageblocksWithUnmovablePages(GuestMemory g) {
        long n = 0;
        for (int pb = 0; pb < g.map.nrPages; pb += Mm.PAGEBLOCK_NR_PAGES) {
            for (int p = pb; p < pb + Mm.PAGEBLOCK_NR_PAGES; p++) {
                if (g.map.hasType(p, PageType.SLAB) || g.map.hasType(p, PageType.TABLE)) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    @Test
    void aSteppedRunKeepsEveryInvariantAndTheSameSeedGivesTheSameBuddyinfo() {
        GuestMemory a = guest();
        GuestMemory b = guest();
        Workload wa = new Workload(a);
        Workload wb = new Workload(b);
        wa.prepare(7, 8, 1024);
        wb.prepare(7, 8, 1024);
        for (int i = 0; i < 4; i++) {
            wa.step(10_000);
            wb.step(10_000);
            assertOk(a, wa);
        }
        assertThat(buddyinfo(a)).isEqualTo(buddyinfo(b));
        assertThat(wa.status()).isEqualTo(wb.status());
        assertThat(wa.mappedPages()).isPositive();
        assertThat(a.vmstat.get(VmItem.NR_PAGETABLE)).isPositive();
        assertThat(wa.dataLoss()).isZero();
        // fragmented as a guest that has run a while: most free blocks are small, and the kernel's
        // unmovable pages have claimed pageblocks of their own among the movable ones
        long small = 0;
        long all = 0;
        for (Zone z : a.zones) {
            for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
                all += z.nrFree(o);
                small += o <= 2 ? z.nrFree(o) : 0;
            }
        }
        assertThat(small * 2).isGreaterThan(all);
        assertThat(pageblocksWithUnmovablePages(a)).isPositive();
        assertThat(java.util.stream.IntStream.range(0, a.map.nrPages / Mm.PAGEBLOCK_NR_PAGES)
                .filter(pb -> a.map.pageblockMigratetype(pb * Mm.PAGEBLOCK_NR_PAGES) == MigrateType.UNMOVABLE)
                .count()).isPositive();
        assertThat(wa.status()).contains("prepared for step()", "data loss: 0");
        wa.stop();
        wb.stop();
        assertOk(a, wa);
    }

    @Test
    void twoThreadsRunABoundedWorkloadThatStaysConsistentWhileMmCheckFreezesIt() throws Exception {
        GuestMemory g = guest();
        Workload w = new Workload(g);
        long free0 = g.freePages();
        w.start(11, 12, 1024, 2, 60_000);
        assertThat(w.running()).isTrue();
        for (int i = 0; i < 3; i++) {
            assertOk(g, w); // stop_machine in the middle of the run
        }
        assertThat(w.awaitFinished(30, TimeUnit.SECONDS)).isTrue();
        assertThat(w.opsDone()).isEqualTo(60_000);
        assertOk(g, w);
        List<String> problems = new ArrayList<>();
        assertThat(w.verifyContent(problems::add)).isZero();
        assertThat(problems).isEmpty();
        assertThat(w.status()).contains("finished its 60000 ops", "2 threads");
        w.stop();
        assertThat(w.running()).isFalse();
        g.drainAllPages(); // the per-cpu lists hold the last frees: drain_all_pages() gives them to the buddy allocator
        assertThat(g.freePages()).isEqualTo(free0);
        assertOk(g, w);
        assertThat(g.debug.reports()).isZero();
    }

    @Test
    void stopReturnsEveryPageTheWorkloadHeld() {
        GuestMemory g = guest();
        Workload w = new Workload(g);
        long free0 = g.freePages();
        w.prepare(3, 16, 512);
        w.step(20_000);
        assertThat(g.freePages()).isLessThan(free0);
        w.stop();
        g.drainAllPages(); // the per-cpu lists hold the last frees: drain_all_pages() gives them to the buddy allocator
        assertThat(g.freePages()).isEqualTo(free0);
        assertThat(g.vmstat.get(VmItem.NR_ANON_PAGES)).isZero();
        assertThat(g.vmstat.get(VmItem.NR_PAGETABLE)).isZero();
        assertThat(g.vmstat.get(VmItem.NR_INACTIVE_ANON)).isZero();
        assertThat(w.status()).contains("stopped");
        w.stop(); // idempotent
        assertOk(g, w);
    }

    @Test
    void aCorruptedContentTagIsDataLossAndFailsMmCheck() {
        GuestMemory g = guest();
        Workload w = new Workload(g);
        w.prepare(5, 4, 512);
        w.step(3_000);
        List<Integer> mapped = new ArrayList<>();
        for (int pfn = 0; pfn < g.map.nrPages; pfn++) {
            if ((g.map.mapping[pfn] & MemMap.PAGE_MAPPING_ANON) != 0 && g.map.refcount(pfn) > 0) {
                mapped.add(pfn);
            }
        }
        assertThat(mapped).isNotEmpty();
        g.content.write(mapped.get(0), 0x1234_5678L);
        CheckResult r = MmCheck.run(g, w);
        assertThat(r.ok()).isFalse();
        assertThat(r.verdict()).isEqualTo("mm:check: FAIL workload content: 1");
        assertThat(r.text()).contains(String.format("pfn %#x: content 0000000012345678", mapped.get(0)));

        // the processes find it (and every other page we overwrite) when they read
        for (int pfn : mapped) {
            g.content.write(pfn, 0x1234_5678L);
        }
        w.step(2_000);
        assertThat(w.dataLoss()).isPositive();
        assertThat(g.dmesg.lines()).anyMatch(l -> l.contains("mmlab-workload: data loss: pid ")
                && l.contains("found 0000000012345678"));
        assertThat(MmCheck.run(g, w).ok()).isFalse();
        w.stop();
    }

    @Test
    void aWorkloadLargerThanFreeMemoryIsOomKilledWithoutEscapingExceptions() {
        GuestMemory g = guest();
        Workload w = new Workload(g);
        long free0 = g.freePages();
        // a kernel that already uses 60% of memory
        List<Integer> held = new ArrayList<>();
        while (g.freePages() > g.managedPages() * 4 / 10) {
            int pfn = g.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN, 0);
            assertThat(pfn).isNotEqualTo(Mm.NO_PAGE);
            held.add(pfn);
        }
        int pages = (int) (g.managedPages() * 9 / 10 / 4);
        w.prepare(9, 4, pages);
        w.step(40_000);
        assertThat(w.oomKills()).isPositive();
        assertThat(g.dmesg.lines()).anyMatch(l -> l.matches(".*Out of memory: Killed process \\d+ \\(proc-\\d\\)"
                + " total-vm:\\d+kB, anon-rss:\\d+kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:\\d+kB"
                + " oom_score_adj:0"));
        assertThat(g.dmesg.lines()).anyMatch(l -> l.contains("invoked oom-killer: gfp_mask=0x"));
        assertThat(g.dmesg.lines()).anyMatch(l -> l.contains("oom_reaper: reaped process"));
        assertThat(g.vmstat.get(VmItem.OOM_KILL)).isEqualTo(w.oomKills());
        assertThat(w.dataLoss()).isZero();
        assertOk(g, w);
        w.stop();
        for (int pfn : held) {
            g.freePages(pfn, 0);
        }
        g.drainAllPages(); // the per-cpu lists hold the last frees: drain_all_pages() gives them to the buddy allocator
        assertThat(g.freePages()).isEqualTo(free0);
        assertOk(g, w);
    }

    @Test
    void badSettingsAreRefusedWithWhatIsAllowed() {
        GuestMemory g = guest();
        Workload w = new Workload(g);
        assertThatThrownBy(() -> w.start(1, 0, 16, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("processes=0: must be 1..4096");
        assertThatThrownBy(() -> w.start(1, 1, 1 << 25, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pagesPerProcess");
        assertThatThrownBy(() -> w.start(1, 1, 16, 17)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads=17: must be 1..16");
        assertThatThrownBy(() -> w.start(1, 64, 1024, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than 90% of the guest's");
        assertThatThrownBy(() -> w.step(1)).isInstanceOf(IllegalStateException.class);
        w.start(1, 2, 64, 1);
        try {
            assertThatThrownBy(() -> w.start(1, 2, 64, 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("workload already running (stop it first)");
            assertThatThrownBy(() -> w.step(1)).isInstanceOf(IllegalStateException.class);
        } finally {
            w.stop();
        }
        assertOk(g, w);
    }
}
