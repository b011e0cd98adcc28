package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.CompactStats;
import org.mmlab.mm.admin.FragmentResult;
import org.mmlab.mm.admin.Fragmentation;
import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.mm.testing.TestDriver;

/** mm/compaction.c: the scanners, skip bits, deferral, compaction_suitable() and the runs built on them. */
class CompactionTest {
    /** A 256 MiB guest (one zone, DMA32) fragmented as a long uptime leaves it: half free, under 5% in 2 MiB blocks. */
    static GuestMemory fragmented256M(Workload[] workload) {
        GuestMemory g = new GuestMemory(MmConfig.parse("256M", "3G", "tag", true, true));
        Workload w = new Workload(g);
        FragmentResult r = w.fragment(1, WorkloadControl.DEFAULT_TARGET_PERCENT);
        assertThat(r.reached()).as(r.describe()).isTrue();
        workload[0] = w;
        return g;
    }

    private static CompactControl wholeZone(Compaction c, Zone z, MigrateMode mode) {
        CompactControl cc = new CompactControl(c, -1, Gfp.GFP_KERNEL, 0, z.idx, mode, () -> false);
        cc.zone = z;
        cc.wholeZone = true;
        cc.ignoreSkipHint = true;
        return cc;
    }

    private static void assertNoDataLost(GuestMemory g, Workload w) {
        List<String> problems = new ArrayList<>();
        assertThat(w.verifyContent(problems::add)).as("%s", problems).isZero();
        assertThat(w.dataLoss()).isZero();
        assertOk(g, w);
        assertThat(g.debug.reports()).as("%s", g.dmesg.lines()).isZero();
    }

    // ------------------------------------------------------------------ scanners

    @Test
    void theScannersMeetAndTheRunStopsWithTheCachedPositionsReset() {
        Workload[] w = new Workload[1];
        GuestMemory g = fragmented256M(w);
        Compaction c = g.compaction;
        Zone z = g.zones[0];

        try (CompactControl cc = wholeZone(c, z, MigrateMode.SYNC)) {
            Compaction.CompactResult r = c.compactZone(cc);

            assertThat(r).isEqualTo(Compaction.CompactResult.COMPLETE);
            assertThat(CompactionSuitable.compactScannersMet(cc)).isTrue();
            assertThat(cc.migratePfn).isLessThanOrEqualTo(z.endPfn);
            assertThat(cc.freePfn).isGreaterThanOrEqualTo(z.startPfn);
            assertThat(cc.sumMigrated).isPositive();
            assertThat(lists(g, cc)).as("no page left on cc's lists").isZero();
        }
        // reset_cached_positions(): the next run starts anew
        assertThat(z.compactCachedMigratePfn[0]).isEqualTo(z.startPfn);
        assertThat(z.compactCachedMigratePfn[1]).isEqualTo(z.startPfn);
        assertThat(z.compactCachedFreePfn).isEqualTo((z.endPfn - 1) & ~(Mm.PAGEBLOCK_NR_PAGES - 1));
        assertNoDataLost(g, w[0]);
        w[0].stop();
        assertOk(g, w[0]);
    }

    private static long lists(GuestMemory g, CompactControl cc) {
        long n = 0;
        for (int head : new int[] {cc.freepages, cc.migratepages, cc.isolatedBlocks}) {
            n += g.lists.isEmpty(head) ? 0 : 1;
        }
        return n;
    }

    @Test
    void aSecondWholeZoneRunFindsLittleLeftToMove() {
        Workload[] w = new Workload[1];
        GuestMemory g = fragmented256M(w);
        CompactStats first = g.compaction.compactMemory();
        CompactStats second = g.compaction.compactMemory();

        assertThat(first.migrated()).isPositive();
        assertThat(second.migrated()).isLessThan(first.migrated() / 10 + 1);
        assertNoDataLost(g, w[0]);
        w[0].stop();
    }

    // ------------------------------------------------------------------ skip bits

    @Test
    void aPageblockWithNothingToIsolateIsMarkedSkipAndTheFlushClearsItOnceItCanBeASourceOrATarget() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.drainDma32(g); // every page of DMA32 allocated, none on the LRU: nothing can move
        Zone z = HandBuiltGuest.dma32(g);
        Compaction c = g.compaction;
        int low = 2048; // in the half __reset_isolation_suitable() walks up from the zone start (sources)
        int high = 6144; // in the half it walks down from the zone end (targets)

        try (CompactControl cc = new CompactControl(c, 9, Gfp.GFP_HIGHUSER_MOVABLE, 0, 0, MigrateMode.SYNC_LIGHT,
                () -> false)) {
            cc.zone = z;
            cc.migratePfn = z.startPfn;
            cc.freePfn = (z.endPfn - 1) & ~(Mm.PAGEBLOCK_NR_PAGES - 1);
            // the migrate scanner's pass, block by block, up to the free scanner's block
            for (int i = 0; i < 64 && !CompactionSuitable.compactScannersMet(cc); i++) {
                callIsolateMigratepages(c, cc);
            }
            assertThat(cc.nrMigratepages).isZero();
            assertThat(CompactionSuitable.compactScannersMet(cc)).isTrue();
        }
        for (int pfn = z.startPfn; pfn < z.endPfn - Mm.PAGEBLOCK_NR_PAGES; pfn += Mm.PAGEBLOCK_NR_PAGES) {
            assertThat(g.map.pageblockSkip(pfn)).as("skip bit of the block at %d", pfn).isTrue();
        }

        // a flush with nothing to show for it keeps the hints: no LRU page, no free page in the samples
        z.compactBlockskipFlush = true;
        c.skipHints.resetIsolationSuitable(z);
        assertThat(g.map.pageblockSkip(low)).isTrue();
        assertThat(g.map.pageblockSkip(high)).isTrue();
        assertThat(z.compactBlockskipFlush).isFalse();

        // an LRU page low and a free page high where __reset_isolation_pfn() samples (every 8th PFN)
        HandBuiltGuest.makeAnonLru(g, low + 8);
        g.freePages(high + 16, 0);
        g.drainAllPages(); // PageBuddy only once off the per-cpu list
        c.skipHints.resetIsolationSuitable(z);
        assertThat(g.map.pageblockSkip(low)).as("no flush requested: untouched").isTrue();
        assertThat(g.map.pageblockSkip(high)).isTrue();

        z.compactBlockskipFlush = true;
        c.skipHints.resetIsolationSuitable(z);
        assertThat(g.map.pageblockSkip(low)).as("a source again").isFalse();
        assertThat(g.map.pageblockSkip(high)).as("a target again").isFalse();
        assertThat(g.map.pageblockSkip(low + Mm.PAGEBLOCK_NR_PAGES)).isTrue();
        // the scanners restart at the blocks found
        assertThat(z.compactCachedMigratePfn[0]).isEqualTo(low);
        assertThat(z.compactCachedFreePfn & ~(Mm.PAGEBLOCK_NR_PAGES - 1)).isEqualTo(high);
    }

    /** isolate_migratepages() through compact_zone()'s iteration, without migrating (nothing is isolated). */
    private static void callIsolateMigratepages(Compaction c, CompactControl cc) {
        cc.lastMigratedPfn = 0;
        c.guest.stopMachine.enter();
        try {
            assertThat(c.compactZoneIteration(cc)).isNull();
        } finally {
            c.guest.stopMachine.exit();
        }
    }

    @Test
    void compactMemoryIgnoresTheSkipHintsAndFlushesThemFirst() {
        Workload[] w = new Workload[1];
        GuestMemory g = fragmented256M(w);
        Zone z = g.zones[0];
        for (int pfn = z.startPfn; pfn < z.endPfn; pfn += Mm.PAGEBLOCK_NR_PAGES) {
            g.map.setPageblockSkip(pfn, true);
        }
        CompactStats s = g.compaction.compactMemory();

        assertThat(s.migrated()).as("the hints did not keep compact_memory from any block").isPositive();
        int skipped = 0;
        for (int pfn = z.startPfn; pfn < z.endPfn; pfn += Mm.PAGEBLOCK_NR_PAGES) {
            skipped += g.map.pageblockSkip(pfn) ? 1 : 0;
        }
        assertThat(skipped).as("only the blocks the run found nothing in are marked again")
                .isLessThan((z.endPfn - z.startPfn) / Mm.PAGEBLOCK_NR_PAGES);
        assertNoDataLost(g, w[0]);
        w[0].stop();
    }

    // ------------------------------------------------------------------ deferral

    @Test
    void eachFailureDoublesTheRequestsThatSkipTheZoneUpTo64AndASuccessResetsThem() {
        GuestMemory g = HandBuiltGuest.boot();
        Zone z = HandBuiltGuest.normal(g);
        int order = 9;
        // an order-8 compaction succeeded once: orders up to 8 are never deferred since
        CompactionDefer.compactionDeferReset(z, order - 1, true);
        assertThat(z.compactOrderFailed).isEqualTo(order);

        for (int failures = 1; failures <= 8; failures++) {
            CompactionDefer.deferCompaction(z, order);
            int shift = Math.min(failures, CompactionDefer.COMPACT_MAX_DEFER_SHIFT);
            assertThat(z.compactDeferShift).isEqualTo(shift);
            assertThat(z.compactOrderFailed).isEqualTo(order);
            // (1 << shift) - 1 requests are skipped, the next one is let through
            int skipped = 0;
            while (CompactionDefer.compactionDeferred(z, order)) {
                skipped++;
            }
            assertThat(skipped).isEqualTo((1 << shift) - 1);
            assertThat(CompactionDefer.compactionDeferred(z, order - 1)).as("lower orders are never deferred")
                    .isFalse();
        }
        assertThat(CompactionDefer.compactionRestarting(z, order))
                .as("at the maximum shift, the let-through one restarts").isTrue();

        CompactionDefer.compactionDeferReset(z, order, true);
        assertThat(z.compactDeferShift).isZero();
        assertThat(z.compactConsidered).isZero();
        assertThat(z.compactOrderFailed).isEqualTo(order + 1);
        assertThat(CompactionDefer.compactionDeferred(z, order)).isFalse();
        assertThat(CompactionDefer.compactionRestarting(z, order)).isFalse();

        // a failure at a lower order lowers compact_order_failed to it
        CompactionDefer.deferCompaction(z, 4);
        assertThat(z.compactOrderFailed).isEqualTo(4);
        assertThat(CompactionDefer.compactionDeferred(z, 4)).isTrue();
        assertThat(CompactionDefer.compactionDeferred(z, 3)).isFalse();
    }

    @Test
    void anExpectedSuccessKeepsTheCountsButRaisesTheFailedOrder() {
        GuestMemory g = HandBuiltGuest.boot();
        Zone z = HandBuiltGuest.normal(g);
        CompactionDefer.deferCompaction(z, 4);
        CompactionDefer.deferCompaction(z, 4);

        CompactionDefer.compactionDeferReset(z, 6, false);

        assertThat(z.compactDeferShift).isEqualTo(2);
        assertThat(z.compactOrderFailed).isEqualTo(7);
        assertThat(CompactionDefer.compactionDeferred(z, 6)).as("below compact_order_failed").isFalse();
    }

    // ------------------------------------------------------------------ compaction_suitable

    /** __fragmentation_index() from the buddyinfo counts, computed here independently of ExtfragIndex. */
    private static int fragindex(Zone z, int order) {
        long blocks = 0;
        long pages = 0;
        long suitable = 0;
        for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
            blocks += z.nrFree(o);
            pages += z.nrFree(o) << o;
            if (o >= order) {
                suitable += z.nrFree(o) << (o - order);
            }
        }
        if (blocks == 0) {
            return 0;
        }
        if (suitable > 0) {
            return -1000;
        }
        return (int) (1000 - (1000 + pages * 1000 / (1L << order)) / blocks);
    }

    @Test
    void compactionSuitableRefusesAZoneWhoseOrder9FailureIsALackOfMemoryNotFragmentation() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.drainDma32(g);
        Zone z = HandBuiltGuest.dma32(g);
        // eight free order-8 blocks, each with its buddy allocated: 2048 free pages in large pieces
        for (int i = 0; i < 8; i++) {
            HandBuiltGuest.freeBlock(g, 1024 + i * 512, 8);
        }
        int idx = fragindex(z, 9);
        assertThat(idx).isEqualTo(1000 - (1000 + 2048 * 1000 / 512) / 8).isEqualTo(375);
        assertThat(ExtfragIndex.fragmentationIndex(z, 9)).isEqualTo(idx);
        Compaction c = g.compaction;
        long min = z.watermark(Zone.WMARK_MIN);

        assertThat(c.suitable.compactionSuitableResult(z, 9, min, 0))
                .isEqualTo(Compaction.CompactResult.NOT_SUITABLE_ZONE);
        assertThat(c.suitable.compactionSuitable(z, 9, min, 0)).isFalse();
        // the threshold decides: at 374 the index 375 means fragmentation, and compaction may run
        c.setExtfragThreshold(374);
        assertThat(c.suitable.compactionSuitable(z, 9, min, 0)).isTrue();
        c.setExtfragThreshold(375);
        assertThat(c.suitable.compactionSuitable(z, 9, min, 0)).isFalse();
        // non-costly orders ignore the index: the alternative would be OOM
        c.setExtfragThreshold(1000);
        assertThat(c.suitable.compactionSuitable(z, 3, min, 0)).isTrue();
        assertThatThrownBy(() -> c.setExtfragThreshold(1001)).hasMessageContaining("0..1000");
    }

    @Test
    void compactionSuitableAcceptsAZoneWhoseFreeMemoryIsAllSinglePages() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.drainDma32(g);
        Zone z = HandBuiltGuest.dma32(g);
        // 2048 free order-0 pages, every other page of 4096: the same free memory, in crumbs
        for (int pfn = 1024; pfn < 1024 + 4096; pfn += 2) {
            g.freePages(pfn, 0);
        }
        int idx = fragindex(z, 9);
        assertThat(idx).isEqualTo(1000 - (1000 + 2048 * 1000 / 512) / 2048).isEqualTo(998);
        assertThat(ExtfragIndex.fragmentationIndex(z, 9)).isEqualTo(idx);

        assertThat(g.compaction.suitable.compactionSuitable(z, 9, z.watermark(Zone.WMARK_MIN), 0)).isTrue();
        assertThat(g.compaction.suitable.compactionSuitableResult(z, 9, z.watermark(Zone.WMARK_MIN), 0))
                .isEqualTo(Compaction.CompactResult.CONTINUE);
    }

    @Test
    void compactionSuitableSkipsAZoneBelowTheWatermarkPlusTheCompactGap() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.drainDma32(g);
        Zone z = HandBuiltGuest.dma32(g);
        // 512 pages in crumbs: fragmented, but fewer than min + compact_gap(9) = min + 1024
        for (int pfn = 1024; pfn < 1024 + 1024; pfn += 2) {
            g.freePages(pfn, 0);
        }
        assertThat(CompactionSuitable.compactGap(9)).isEqualTo(1024);
        assertThat(fragindex(z, 9)).isGreaterThan(500);

        assertThat(g.compaction.suitable.compactionSuitableResult(z, 9, z.watermark(Zone.WMARK_MIN), 0))
                .isEqualTo(Compaction.CompactResult.SKIPPED);
    }

    // ------------------------------------------------------------------ compact_memory

    @Test
    void compactMemoryGathersTheFreePagesOfAFragmentedGuestInto2MiBBlocksAndNoDataIsLost() {
        Workload[] w = new Workload[1];
        GuestMemory g = fragmented256M(w);
        g.drainAllPages(); // free pages are measured in the buddy allocator: none left on the per-cpu lists
        Fragmentation before = FragmentationShares.measure(g);
        long vmIsolated = g.vmstat.get(VmItem.COMPACTISOLATED);
        long vmMigrateScanned = g.vmstat.get(VmItem.COMPACTMIGRATE_SCANNED);
        long vmFreeScanned = g.vmstat.get(VmItem.COMPACTFREE_SCANNED);

        CompactStats s = g.compaction.compactMemory();

        g.drainAllPages(); // the sources freed since the last check_drain
        Fragmentation after = FragmentationShares.measure(g);
        assertThat(before.order9Share()).isLessThan(0.05);
        assertThat(after.order9Share()).as("%s -> %s", before.describe(), after.describe())
                .isGreaterThan(before.order9Share() + 0.5);
        assertThat(after.ofBest()).as(after.describe()).isGreaterThanOrEqualTo(0.8);
        assertThat(after.freePages()).as("compaction neither frees nor takes memory").isEqualTo(before.freePages());
        assertThat(s.migrated()).isPositive();
        assertThat(s.isolatedMigrate()).isEqualTo(s.migrated() + s.failed());
        assertThat(g.vmstat.get(VmItem.COMPACTISOLATED) - vmIsolated).isEqualTo(s.isolated());
        assertThat(g.vmstat.get(VmItem.COMPACTMIGRATE_SCANNED) - vmMigrateScanned).isEqualTo(s.migrateScanned());
        assertThat(g.vmstat.get(VmItem.COMPACTFREE_SCANNED) - vmFreeScanned).isEqualTo(s.freeScanned());
        assertThat(s.zoneResults()).containsExactly("DMA32: complete");
        assertNoDataLost(g, w[0]);
        // the processes go on with their data where they expect it
        w[0].step(20_000);
        assertNoDataLost(g, w[0]);
        w[0].stop();
        assertOk(g, w[0]);
    }

    @Test
    void compactionRunsConcurrentlyWithTheWorkloadOnTwoThreadsAndKeepsEveryPageAndItsContent() throws Exception {
        GuestMemory g = new GuestMemory(MmConfig.parse("256M", "128M", "tag", true, true));
        Workload w = new Workload(g);
        w.start(7, 48, 1024, 2, 1_000_000);
        long migrated = 0;
        int rounds = 0;
        while (!w.awaitFinished(0, TimeUnit.MILLISECONDS)) {
            MigrateMode mode = MigrateMode.values()[rounds++ % 3];
            migrated += g.compaction.compactMemory(mode).migrated();
            // direct compaction from this thread too, racing the workload's own allocations
            int thp = g.allocPages(Gfp.GFP_TRANSHUGE | Gfp.__GFP_NORETRY, 9);
            if (thp != Mm.NO_PAGE) {
                g.freePages(thp, 9);
            }
            assertOk(g, w); // mm:check stops the machine between two compaction batches
        }
        assertThat(rounds).as("compaction overlapped the workload").isGreaterThan(1);
        assertThat(migrated).isPositive();
        assertThat(g.vmstat.get(VmItem.PGMIGRATE_SUCCESS)).isGreaterThanOrEqualTo(migrated);
        assertNoDataLost(g, w);
        w.stop();
        assertOk(g, w);
    }

    @ParameterizedTest(name = "contract {0}")
    @ValueSource(strings = {"2012", "2016", "2025"})
    void compactMemoryMigratesADriversMovablePagesUnderEachContract(String contract) {
        GuestMemory g = FakeMovableDrivers.guest(contract);
        Zone normal = g.zones[1];
        TestDriver<?> d = switch (contract) {
            case "2012" -> FakeMovableDrivers.balloon2012(g);
            case "2016" -> FakeMovableDrivers.driver2016(g);
            default -> FakeMovableDrivers.driver2025(g);
        };
        IntSupplier add = d::add;
        // ZONE_Normal's first 16 MiB as 16-page holes between runs of 16 driver pages (not a checkerboard of
        // single pages: the free scanner's stride doubles on every empty block, as the kernel's does, and
        // would step over every other page for good)
        List<Integer> fillers = new ArrayList<>();
        for (int run = 0; run < 2048 / 16; run++) {
            for (int i = 0; i < 16; i++) {
                fillers.add(g.allocPages(FakeMovableDrivers.GFP_BALLOON, 0));
            }
            for (int i = 0; i < 16; i++) {
                assertThat(g.alloc.zoneOf(add.getAsInt())).isSameAs(normal);
            }
        }
        fillers.forEach(pfn -> g.freePages(pfn, 0));
        g.drainAllPages(); // the holes merge once off the per-cpu list
        assertThat(normal.nrFree(4)).isEqualTo(2048 / 16);
        long free9 = normal.nrFree(9) + 2 * normal.nrFree(10);

        CompactStats s = g.compaction.compactMemory();
        g.drainAllPages(); // compact_memory (order -1) leaves the freed sources on the per-cpu list

        assertThat(s.migrated()).as("%s", s).isPositive();
        assertThat(d.nrPages()).as("the driver still has every page").isEqualTo(2048);
        assertThat(d.mp.owners().get(0).migrated()).isEqualTo(s.migrated());
        assertThat(d.mp.owners().get(0).pages()).isEqualTo(2048);
        assertThat(normal.nrFree(9) + 2 * normal.nrFree(10)).as("free 2 MiB blocks in Normal").isGreaterThan(free9);
        assertThat(g.migrate.isolatedMovablePages().isEmpty()).isTrue();
        assertOk(g, null);
        assertThat(g.debug.reports()).as("%s", g.dmesg.lines()).isZero();
    }

    // ------------------------------------------------------------------ direct compaction

    @Test
    void directCompactionSatisfiesAnOrder9AllocationThatFailedBefore() {
        Workload[] w = new Workload[1];
        GuestMemory g = fragmented256M(w);
        // take every free 2 MiB block there is, without compaction (GFP_TRANSHUGE_LIGHT does not reclaim)
        List<Integer> thps = new ArrayList<>();
        int pfn;
        while ((pfn = g.allocPages(Gfp.GFP_TRANSHUGE_LIGHT, 9)) != Mm.NO_PAGE) {
            thps.add(pfn);
        }
        assertThat(g.allocPages(Gfp.GFP_TRANSHUGE_LIGHT, 9)).as("failed before").isEqualTo(Mm.NO_PAGE);
        long stall = g.vmstat.get(VmItem.COMPACTSTALL);
        long success = g.vmstat.get(VmItem.COMPACTSUCCESS);

        int thp = g.allocPages(Gfp.GFP_TRANSHUGE, 9);

        assertThat(thp).as("direct compaction made a free 2 MiB block").isNotEqualTo(Mm.NO_PAGE);
        assertThat(g.vmstat.get(VmItem.COMPACTSTALL)).isGreaterThan(stall);
        assertThat(g.vmstat.get(VmItem.COMPACTSUCCESS)).isEqualTo(success + 1);
        assertThat(g.vmstat.get(VmItem.COMPACTISOLATED)).isPositive();
        Zone z = g.alloc.zoneOf(thp);
        assertThat(z.compactDeferShift).as("compaction_defer_reset(alloc_success)").isZero();
        assertThat(z.compactOrderFailed).isGreaterThan(9);
        thps.add(thp);
        assertNoDataLost(g, w[0]);
        for (int p : thps) {
            g.freePages(p, 9);
        }
        w[0].stop();
        assertOk(g, w[0]);
    }

    @Test
    void anAllocationThatMayNotWaitOnIoIsNotCompactedAndCountsNoStall() {
        Workload[] w = new Workload[1];
        GuestMemory g = fragmented256M(w);
        while (g.allocPages(Gfp.GFP_TRANSHUGE_LIGHT, 9) != Mm.NO_PAGE) {
            // take every free 2 MiB block
        }
        int gfpNoio = Gfp.GFP_TRANSHUGE & ~Gfp.__GFP_IO & ~Gfp.__GFP_FS;
        long stall = g.vmstat.get(VmItem.COMPACTSTALL);
        long scanned = g.vmstat.get(VmItem.COMPACTMIGRATE_SCANNED);

        assertThat(g.allocPages(gfpNoio | Gfp.__GFP_NORETRY, 9)).isEqualTo(Mm.NO_PAGE);
        assertThat(g.vmstat.get(VmItem.COMPACTSTALL)).isEqualTo(stall);
        assertThat(g.vmstat.get(VmItem.COMPACTMIGRATE_SCANNED)).isEqualTo(scanned);
        w[0].stop();
        assertOk(g, w[0]);
    }

    // ------------------------------------------------------------------ proactive compaction and kcompactd

    @Test
    void withProactivenessZeroTheProactiveCheckDoesNothing() {
        Workload[] w = new Workload[1];
        GuestMemory g = fragmented256M(w);
        Compaction c = g.compaction;
        c.setCompactionProactiveness(0);
        long[] before = PageAllocInvariantTest.freeArea(g);
        int score = c.score.fragmentationScoreNode();

        assertThat(c.kcompactd().proactiveCompactionPass()).isFalse();

        assertThat(c.kcompactd().proactivePasses()).isZero();
        assertThat(PageAllocInvariantTest.freeArea(g)).isEqualTo(before);
        assertThat(c.score.fragmentationScoreNode()).isEqualTo(score).isGreaterThan(90);
        assertThat(g.vmstat.get(VmItem.KCOMPACTD_MIGRATE_SCANNED)).isZero();
        w[0].stop();
    }

    @Test
    void withProactiveness100APassRunsAndLowersTheFragmentationScore() {
        Workload[] w = new Workload[1];
        GuestMemory g = fragmented256M(w);
        Compaction c = g.compaction;
        c.setCompactionProactiveness(100);
        assertThat(c.score.fragmentationScoreWmark(true)).isZero();
        assertThat(c.score.fragmentationScoreWmark(false)).isZero();
        int score = c.score.fragmentationScoreNode();

        boolean backOff = c.kcompactd().proactiveCompactionPass();

        assertThat(backOff).as("the score went down: no back-off").isFalse();
        assertThat(c.kcompactd().proactivePasses()).isEqualTo(1);
        assertThat(c.score.fragmentationScoreNode()).isLessThan(score);
        assertThat(g.vmstat.get(VmItem.KCOMPACTD_MIGRATE_SCANNED)).isPositive();
        assertThat(g.vmstat.get(VmItem.KCOMPACTD_FREE_SCANNED)).isPositive();
        assertNoDataLost(g, w[0]);
        w[0].stop();
    }

    @Test
    void aProactivePassThatCannotLowerTheScoreMakesKcompactdBackOff() {
        GuestMemory g = HandBuiltGuest.boot();
        Compaction c = g.compaction;
        c.setCompactionProactiveness(100);
        // score 1 (DMA32's order-8 block by the reserved first MiB) > wmark_high 0, and nothing can move
        assertThat(c.score.fragmentationScoreNode()).isEqualTo(1);

        assertThat(c.kcompactd().proactiveCompactionPass()).as("back off: 500 ms << 6").isTrue();

        assertThat(c.kcompactd().proactivePasses()).isEqualTo(1);
        assertThat(c.kcompactd().status()).contains("last pass: proactive: score 1 -> 1, 0 migrated, 0 failed (no"
                + " progress: backing off)");
        assertOk(g, null);
    }

    @Test
    void theFragmentationScoreWatermarksFollowProactiveness() {
        GuestMemory g = HandBuiltGuest.boot();
        Compaction c = g.compaction;
        assertThat(c.compactionProactiveness()).isEqualTo(20);
        // wmark_low = 100 - proactiveness, leeway = min(10, wmark_low / 2), wmark_high = min(wmark_low + leeway, 100)
        int[][] expected = {{0, 100, 100}, {20, 80, 90}, {95, 5, 7}, {100, 0, 0}};
        for (int[] e : expected) {
            c.setCompactionProactiveness(e[0]);
            assertThat(c.score.fragmentationScoreWmark(true)).isEqualTo(e[1]);
            assertThat(c.score.fragmentationScoreWmark(false)).isEqualTo(e[2]);
        }
        assertThatThrownBy(() -> c.setCompactionProactiveness(101)).hasMessageContaining("0..100");
        // a fresh guest: all its free memory is in 2 and 4 MiB blocks but DMA32's order-8 block next to the
        // reserved first MiB: 256 * 100 / 7936 = 3 in DMA32, weighted 8192 * 3 / 16385 = 1; Normal 0
        assertThat(c.score.fragmentationScoreZone(HandBuiltGuest.dma32(g))).isEqualTo(3);
        assertThat(c.score.fragmentationScoreZone(HandBuiltGuest.normal(g))).isZero();
        assertThat(c.score.fragmentationScoreNode()).isEqualTo(1);
    }

    @Test
    void kcompactdStartsOnceStopsAndLeavesNoThreadBehind() {
        GuestMemory g = HandBuiltGuest.boot();
        Kcompactd k = g.compaction.kcompactd();
        for (int cycle = 0; cycle < 3; cycle++) {
            k.run();
            k.run(); // kcompactd_run() on a running thread does nothing
            assertThat(k.running()).isTrue();
            assertThat(kcompactdThreads()).isEqualTo(1);
            assertThat(k.status()).first().isEqualTo("kcompactd0: running");

            k.stop();
            k.stop();
            assertThat(k.running()).isFalse();
            assertThat(kcompactdThreads()).isZero();
            assertThat(k.status()).first().isEqualTo("kcompactd0: stopped");
        }
    }

    private static long kcompactdThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("kcompactd0") && t.isAlive()).count();
    }

    @Test
    void aRunningKcompactdCompactsAFragmentedGuestProactivelyAndStopsWhenAsked() throws Exception {
        Workload[] w = new Workload[1];
        GuestMemory g = fragmented256M(w);
        Compaction c = g.compaction;
        Kcompactd k = c.kcompactd();
        c.setCompactionProactiveness(100);
        k.run();
        try {
            // no timing assertion: wait as long as it takes for the first pass
            for (int i = 0; i < 6000 && k.proactivePasses() == 0; i++) {
                Thread.sleep(10);
            }
            assertThat(k.proactivePasses()).isPositive();
        } finally {
            k.stop();
        }
        assertThat(kcompactdThreads()).isZero();
        assertThat(k.status()).anyMatch(l -> l.startsWith("last pass: proactive: score "));
        assertNoDataLost(g, w[0]);
        w[0].stop();
    }

    @Test
    void wakingKcompactdForAnOrderCompactsForIt() throws Exception {
        Workload[] w = new Workload[1];
        GuestMemory g = fragmented256M(w);
        Compaction c = g.compaction;
        c.setCompactionProactiveness(0); // only the wake-up may make it work
        while (g.allocPages(Gfp.GFP_TRANSHUGE_LIGHT, 9) != Mm.NO_PAGE) {
            // take every free 2 MiB block
        }
        Kcompactd k = c.kcompactd();
        k.run();
        try {
            for (int i = 0; i < 6000 && g.vmstat.get(VmItem.KCOMPACTD_WAKE) == 0; i++) {
                // a THP fault that may not wait, as khugepaged's or a GFP_TRANSHUGE_LIGHT one: kswapd wakes kcompactd
                g.allocPages(Gfp.GFP_TRANSHUGE_LIGHT | Gfp.__GFP_KSWAPD_RECLAIM, 9);
                Thread.sleep(10);
            }
            assertThat(g.vmstat.get(VmItem.KCOMPACTD_WAKE)).isPositive();
        } finally {
            k.stop();
        }
        assertNoDataLost(g, w[0]);
        w[0].stop();
    }
}
