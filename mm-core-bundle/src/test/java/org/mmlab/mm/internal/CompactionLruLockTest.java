package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.PageType;
import org.mmlab.mm.admin.CompactStats;

/**
 * The migrate scanner keeps lru_lock across the LRU pages it isolates (isolate_migratepages_block()),
 * but never holds it while a driver's movable_ops run or when it leaves the block: checked from
 * inside the callbacks of a 2025 driver whose pages lie between the workload's LRU pages.
 */
class CompactionLruLockTest {
    /** A minimal 2025 driver that records whether lru_lock was held by the caller of each callback. */
    private static final class Recorder implements MovableOperations {
        final GuestMemory g;
        final MovablePages2025Impl mp;
        final List<Integer> pages = new ArrayList<>();
        int isolateCalls;
        int migrateCalls;
        int underLruLock;

        Recorder(GuestMemory g) {
            this.g = g;
            this.mp = new MovablePages2025Impl(g, "fake.lrulock", 9);
            assertThat(mp.setMovableOps(this, PageType.OFFLINE)).isZero();
        }

        void add() {
            int pfn = g.allocPages(FakeMovableDrivers.GFP_BALLOON, 0);
            mp.setPageOffline(pfn);
            mp.setPageMovableOps(pfn);
            synchronized (pages) {
                pages.add(pfn);
            }
        }

        private void record() {
            if (g.lruvec.lruLock.isHeldByCurrentThread()) {
                underLruLock++;
            }
        }

        @Override
        public boolean isolatePage(int pfn, int isolateMode) {
            isolateCalls++;
            record();
            synchronized (pages) {
                return pages.remove(Integer.valueOf(pfn));
            }
        }

        @Override
        public int migratePage(int dstPfn, int srcPfn, MigrateMode mode) {
            migrateCalls++;
            record();
            g.getPage(dstPfn);
            mp.setPageOffline(dstPfn);
            mp.setPageMovableOps(dstPfn);
            synchronized (pages) {
                pages.add(dstPfn);
            }
            g.putPage(srcPfn);
            return 0;
        }

        @Override
        public void putbackPage(int pfn) {
            record();
            synchronized (pages) {
                pages.add(pfn);
            }
        }
    }

    @Test
    void theMigrateScannerDropsLruLockBeforeAMovableOpsPageAndAtTheEndOfABlock() {
        Workload[] w0 = new Workload[1];
        GuestMemory g = CompactionTest.fragmented256M(w0);
        Workload w = w0[0];
        Recorder d = new Recorder(g);
        // driver pages in the holes fragment left between the workload's LRU pages
        for (int i = 0; i < 256; i++) {
            d.add();
        }
        long lruBefore = g.vmstat.get(VmItem.NR_INACTIVE_ANON);

        CompactStats s = g.compaction.compactMemory();

        assertThat(s.migrated()).as("%s", s).isGreaterThan(d.migrateCalls);
        assertThat(d.isolateCalls).as("%s", s).isPositive();
        assertThat(d.migrateCalls).isPositive();
        assertThat(d.underLruLock).as("movable_ops callbacks run with lru_lock held").isZero();
        assertThat(g.lruvec.lruLock.isLocked()).isFalse();
        assertThat(d.pages).hasSize(256);
        assertThat(g.vmstat.get(VmItem.NR_INACTIVE_ANON)).isEqualTo(lruBefore);
        assertThat(g.vmstat.get(VmItem.NR_ISOLATED_ANON)).isZero();
        assertOk(g, w);
        assertThat(w.verifyContent(line -> { })).isZero();
        assertThat(g.debug.reports()).as("%s", g.dmesg.lines()).isZero();
    }
}
