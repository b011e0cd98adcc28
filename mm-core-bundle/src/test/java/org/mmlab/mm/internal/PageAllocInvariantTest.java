package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.CheckResult;

/** The buddy allocator keeps every mm:check invariant under long random alloc/free sequences. */
class PageAllocInvariantTest {
    private static final int[] GFPS = {Gfp.GFP_KERNEL, Gfp.GFP_HIGHUSER_MOVABLE, Gfp.GFP_KERNEL | Gfp.__GFP_COMP,
        Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_COMP, Gfp.GFP_KERNEL | Gfp.__GFP_RECLAIMABLE,
        Gfp.GFP_KERNEL | Gfp.__GFP_DMA32};

    static GuestMemory guest() {
        return new GuestMemory(MmConfig.parse("64M", "32M", "tag", true, true));
    }

    static long[] freeArea(GuestMemory g) {
        long[] orders = new long[Mm.NR_PAGE_ORDERS];
        for (Zone z : g.zones) {
            for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
                orders[o] += z.nrFree(o);
            }
        }
        return orders;
    }

    static void assertOk(GuestMemory g, Workload w) {
        CheckResult r = MmCheck.run(g, w);
        assertThat(r.verdict()).as(r.text()).isEqualTo("mm:check: OK");
        assertThat(r.ok()).isTrue();
    }

    /** One random allocation or free; held entries are {pfn, order}. */
    private static void randomOp(GuestMemory g, Random r, List<int[]> held) {
        if (held.isEmpty() || r.nextInt(100) < 55) {
            int order = r.nextInt(5) == 0 ? r.nextInt(Mm.NR_PAGE_ORDERS) : r.nextInt(3);
            int gfp = GFPS[r.nextInt(GFPS.length)] | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN;
            int pfn = g.allocPages(gfp, order);
            if (pfn != Mm.NO_PAGE) {
                assertThat(pfn & ((1 << order) - 1)).isZero();
                held.add(new int[] {pfn, order});
            }
        } else {
            int[] b = held.remove(r.nextInt(held.size()));
            g.freePages(b[0], b[1]);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 0xdeadbeefL})
    void longSeededRandomAllocFreeSequencesKeepEveryInvariantAndRestoreTheBootFreeArea(long seed) {
        GuestMemory g = guest();
        long free0 = g.freePages();
        long[] area0 = freeArea(g);
        assertOk(g, null);
        Random r = new Random(seed);
        List<int[]> held = new ArrayList<>();
        for (int i = 1; i <= 30_000; i++) {
            randomOp(g, r, held);
            if (i % 7_500 == 0) {
                assertOk(g, null);
            }
        }
        for (int[] b : held) {
            g.freePages(b[0], b[1]);
        }
        g.drainAllPages(); // the per-cpu lists hold the last frees: drain_all_pages() gives them to the buddy allocator
        assertOk(g, null);
        assertThat(g.freePages()).isEqualTo(free0);
        assertThat(freeArea(g)).containsExactly(area0);
        assertThat(g.debug.reports()).isZero();
    }

    @Test
    void anAnonThpOnTheLruCountsAllItsPagesAndMmCheckAgrees() {
        GuestMemory g = guest();
        int head = g.allocPages(Gfp.GFP_TRANSHUGE, Mm.PAGEBLOCK_ORDER);
        g.map.mapping[head] = (1 << 2) | MemMap.PAGE_MAPPING_ANON;
        g.map.mapcountOrType[head] = 0;
        g.vmstat.add(VmItem.NR_ANON_PAGES, 1 << Mm.PAGEBLOCK_ORDER);
        g.vmstat.nrAnonThps.addAndGet(1 << Mm.PAGEBLOCK_ORDER); // folio_add_new_anon_rmap() at RMAP_LEVEL_PMD
        g.lruvec.add(head);
        assertThat(g.vmstat.get(VmItem.NR_INACTIVE_ANON)).isEqualTo(1 << Mm.PAGEBLOCK_ORDER);
        assertOk(g, null);
        CheckResult r = MmCheck.run(g, null);
        assertThat(r.text()).contains("lru: 512 pages on inactive_anon", "+ 511 compound tails");
    }

    @Test
    void fourThreadsAllocatingAndFreeingConcurrentlyConserveEveryPage() throws Exception {
        GuestMemory g = guest();
        long free0 = g.freePages();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch halfway = new CountDownLatch(4);
        CountDownLatch checked = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long seed = 100 + t;
            Thread th = new Thread(() -> {
                try {
                    Random r = new Random(seed);
                    List<int[]> held = new ArrayList<>();
                    for (int i = 0; i < 20_000; i++) {
                        randomOp(g, r, held);
                        if (i == 10_000) {
                            halfway.countDown();
                        }
                    }
                    checked.await();
                    for (int[] b : held) {
                        g.freePages(b[0], b[1]);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    halfway.countDown();
                }
            }, "alloc-" + t);
            threads.add(th);
            th.start();
        }
        halfway.await();
        // stop_machine while the others allocate: what it sees is consistent
        CheckResult mid = MmCheck.run(g, null);
        checked.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(mid.verdict()).as(mid.text()).isEqualTo("mm:check: OK");
        g.drainAllPages(); // the per-cpu lists hold the last frees: drain_all_pages() gives them to the buddy allocator
        assertOk(g, null);
        assertThat(g.freePages()).isEqualTo(free0);
        assertThat(g.debug.reports()).isZero();
    }
}
