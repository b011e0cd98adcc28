package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Errno;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;
import org.mmlab.mm.testing.TestDriver.MovableOps2025;

/** The 2025 contract (v6.17 movable_ops): set_movable_ops() per page type, PG_movable_ops(_isolated). */
class MovableOps2025Test extends MovableMigrationContractTest<MovableOps2025<MovablePages2025Impl>> {
    @Override
    String contract() {
        return "2025";
    }

    @Override
    MovableOps2025<MovablePages2025Impl> newDriver(GuestMemory guest) {
        return FakeMovableDrivers.driver2025(guest);
    }

    @Override
    int add() {
        return d.add();
    }

    @Override
    boolean isolatedMark(int pfn) {
        return d.mp.pageMovableOpsIsolated(pfn);
    }

    @Override
    boolean markedMovable(int pfn) {
        return d.mp.pageHasMovableOps(pfn);
    }

    private static final MovableOperations NOP = new MovableOperations() {
        @Override
        public boolean isolatePage(int pfn, int isolateMode) {
            return false;
        }

        @Override
        public int migratePage(int dstPfn, int srcPfn, MigrateMode mode) {
            return -Errno.EAGAIN;
        }

        @Override
        public void putbackPage(int pfn) {
        }
    };

    @Test
    void setMovableOpsAcceptsOfflineAndZsmallocOnceEachAndNullUnregisters() {
        assertThat(d.mp.setMovableOps(NOP, PageType.OFFLINE)).isEqualTo(-Errno.EBUSY);
        assertThat(d.mp.setMovableOps(NOP, PageType.SLAB)).isEqualTo(-Errno.EINVAL);
        assertThat(d.mp.setMovableOps(NOP, PageType.BUDDY)).isEqualTo(-Errno.EINVAL);
        assertThat(d.mp.setMovableOps(NOP, PageType.ZSMALLOC)).isZero();
        assertThat(d.mp.setMovableOps(NOP, PageType.ZSMALLOC)).isEqualTo(-Errno.EBUSY);
        assertThat(d.mp.setMovableOps(null, PageType.ZSMALLOC)).isZero();
        assertThat(d.mp.setMovableOps(NOP, PageType.ZSMALLOC)).isZero();
        assertThat(d.mp.owners()).extracting(o -> o.what()).containsExactly("movable_ops offline (MovableOps2025)",
                "movable_ops zsmalloc ()", "movable_ops zsmalloc ()");
        assertThat(d.mp.owners()).extracting(o -> o.released()).containsExactly(false, true, false);
    }

    @Test
    void pgMovableOpsOnAnUntypedPageIsAKernelBug() {
        int pfn = g.allocPages(FakeMovableDrivers.GFP_BALLOON, 0);

        assertThatThrownBy(() -> d.mp.setPageMovableOps(pfn)).isInstanceOf(KernelBug.class);
        assertThat(g.testPageFlag(pfn, PageFlags.PG_movable_ops)).isFalse();
    }

    /** v6.18.2's PAGE_TYPE_OPS: setting PageOffline twice, or clearing it on an untyped page, does nothing. */
    @Test
    void pageOfflineSetTwiceOrClearedOnAnUntypedPageChangesNothingAndAnotherTypeIsAKernelBug() {
        int pfn = g.allocPages(FakeMovableDrivers.GFP_BALLOON, 0);
        d.mp.setPageOffline(pfn);
        d.mp.setPageOffline(pfn);
        assertThat(g.map.pageType(pfn)).isEqualTo(PageType.OFFLINE);
        d.mp.clearPageOffline(pfn);
        d.mp.clearPageOffline(pfn);
        assertThat(g.map.pageType(pfn)).isNull();

        g.map.setType(pfn, PageType.TABLE);
        assertThatThrownBy(() -> d.mp.setPageOffline(pfn)).isInstanceOf(KernelBug.class);
        assertThatThrownBy(() -> d.mp.clearPageOffline(pfn)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("!PageOffline(page)");
    }

    @Test
    void aPageOfATypeWithoutMovableOpsIsNotIsolated() {
        int pfn = g.allocPages(FakeMovableDrivers.GFP_BALLOON, 0);
        g.map.setType(pfn, PageType.TABLE);
        g.map.setFlag(pfn, PageFlags.PG_movable_ops); // PG_uptodate on a page table: a false positive of the flag

        assertThat(g.migrate.pageHasMovableOps(pfn)).isFalse();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isFalse();
        assertThat(g.pageCount(pfn)).isEqualTo(1);
    }

    @Test
    void aPageItsOwnerReleasedWhileIsolatedCountsAsMigratedAndIsFreedWithoutTheDriver() {
        int pfn = d.add();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        d.releaseIsolated(pfn);
        MigrationList list = new MigrationList(g, pfn);

        assertThat(list.migrate(MigrateMode.SYNC)).isZero();

        assertThat(list.succeeded).isEqualTo(1);
        assertThat(d.migrateCalls()).isZero();
        assertThat(g.pageCount(pfn)).isZero();
        assertThat(g.pageType(pfn)).as("PageOffline was sticky until the page was freed").isNotEqualTo(PageType.OFFLINE);
        assertOk(g, null);
    }

    @Test
    void aDeflatedPageIsNotIsolatedByTheBalloonsIsolatePage() {
        int pfn = d.add();
        d.listDel(pfn);
        d.mp.setPagePrivate(pfn, 0); // balloon_page_finalize(): deflated, still PageOffline with PG_movable_ops

        assertThat(g.migrate.pageHasMovableOps(pfn)).isTrue();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isFalse();
        assertThat(g.pageCount(pfn)).isEqualTo(1);
        assertThat(d.mp.pageMovableOpsIsolated(pfn)).isFalse();
    }

    @Test
    void unregisteringTheOpsWhileAPageIsIsolatedLeavesMigrationWithANullPointer() {
        int pfn = d.add();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        assertThat(d.mp.setMovableOps(null, PageType.OFFLINE)).isZero();
        MigrationList list = new MigrationList(g, pfn);

        assertThatThrownBy(() -> list.migrate(MigrateMode.SYNC)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("page_movable_ops(page) == NULL");
        assertThat(g.testPageFlag(pfn, PageFlags.PG_locked)).as("the locks were released").isFalse();
        assertThat(list.pages()).containsExactly(pfn);
    }
}
