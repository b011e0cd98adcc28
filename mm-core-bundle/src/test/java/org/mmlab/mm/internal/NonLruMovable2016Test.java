package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.testing.TestDriver.NonLru2016;

/** The 2016 contract (v4.8 non-LRU movable pages): __SetPageMovable(), PG_isolated, PageMovable() under the lock. */
class NonLruMovable2016Test extends MovableMigrationContractTest<NonLru2016<MovablePages2016Impl>> {
    @Override
    String contract() {
        return "2016";
    }

    @Override
    NonLru2016<MovablePages2016Impl> newDriver(GuestMemory guest) {
        return FakeMovableDrivers.driver2016(guest);
    }

    @Override
    int add() {
        return d.add();
    }

    @Override
    boolean isolatedMark(int pfn) {
        return d.mp.pageIsolated(pfn);
    }

    @Override
    boolean markedMovable(int pfn) {
        g.lockPage(pfn);
        try {
            return d.mp.pageMovable(pfn);
        } finally {
            g.unlockPage(pfn);
        }
    }

    @Test
    void aPageItsOwnerReleasedWhileIsolatedCountsAsMigratedIsFreedAndTheDriverIsNotCalled() {
        int pfn = d.add();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        d.releaseIsolated(pfn);
        assertThat(d.mp.pageMovableHint(pfn)).as("__ClearPageMovable keeps PAGE_MAPPING_MOVABLE").isTrue();
        MigrationList list = new MigrationList(g, pfn);

        assertThat(list.migrate(MigrateMode.SYNC)).isZero();

        assertThat(list.succeeded).isEqualTo(1);
        assertThat(d.migrateCalls()).isZero();
        assertThat(g.pageCount(pfn)).isZero();
        assertThat(g.testPageFlag(pfn, PageFlags.PG_isolated)).isFalse();
        assertThat(g.vmstat.get(VmItem.PGMIGRATE_SUCCESS)).isEqualTo(1);
        assertOk(g, null);
    }

    @Test
    void aPageReleasedWhileIsolatedButStillReferencedMigratesWithoutTheDriver() {
        int pfn = d.add();
        g.getPage(pfn); // someone else's reference keeps it from being freed
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        d.releaseIsolated(pfn);
        MigrationList list = new MigrationList(g, pfn);

        assertThat(list.migrate(MigrateMode.SYNC)).isZero();

        assertThat(d.migrateCalls()).isZero();
        assertThat(g.pageCount(pfn)).isEqualTo(1);
        assertThat(g.testPageFlag(pfn, PageFlags.PG_isolated)).isFalse();
        assertThat(g.pageCount(list.lastTarget())).as("move_to_new_page() used no target").isZero();
        g.putPage(pfn);
        assertOk(g, null);
    }

    @Test
    void putbackOfAPageReleasedWhileIsolatedFreesItWithoutCallingTheDriver() {
        int pfn = d.add();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        d.releaseIsolated(pfn);

        new MigrationList(g, pfn).putback();

        assertThat(d.putbackCalls()).isZero();
        assertThat(g.pageCount(pfn)).isZero();
        assertOk(g, null);
    }

    @Test
    void aDriverThatRefusesIsolationKeepsItsPageAndTheReferenceIsDropped() {
        int pfn = d.add();
        d.refuseIsolation(true);

        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isFalse();

        assertThat(d.isolateCalls()).isEqualTo(1);
        assertThat(g.pageCount(pfn)).isEqualTo(1);
        assertThat(d.mp.pageIsolated(pfn)).isFalse();
        assertThat(d.owns(pfn)).isTrue();
    }

    @Test
    void aMappingWithoutIsolatePageIsNotPageMovable() {
        org.mmlab.mm.AddressSpace plain = d.mp.allocAnonInode((m, n, p, mode) -> 0, null);
        int pfn = g.allocPages(FakeMovableDrivers.GFP_BALLOON, 0);
        g.lockPage(pfn);
        d.mp.setPageMovable(pfn, plain);
        assertThat(d.mp.pageMovable(pfn)).isFalse();
        g.unlockPage(pfn);
        assertThat(d.mp.pageMovableHint(pfn)).isTrue();

        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isFalse();
        assertThat(g.pageCount(pfn)).isEqualTo(1);
    }

    @Test
    void setPageMovableWithoutThePageLockIsAKernelBug() {
        int pfn = g.allocPages(FakeMovableDrivers.GFP_BALLOON, 0);

        assertThatThrownBy(() -> d.mp.setPageMovable(pfn, d.mapping)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("!PageLocked(page)")
                .hasMessageContaining("mm/compaction.c:116 (v4.8.15)"); // __SetPageMovable(), in that kernel

        assertThat(g.map.mapping[pfn]).isZero();
        assertThat(g.dmesg().lines()).anyMatch(l -> l.contains("kernel BUG at mm/compaction.c"))
                .anyMatch(l -> l.endsWith("kernel BUG at mm/compaction.c:116!"));
    }

    @Test
    void pageMovableOutsideThePageLockIsAKernelBug() {
        int pfn = d.add();

        assertThatThrownBy(() -> d.mp.pageMovable(pfn)).isInstanceOf(KernelBug.class);
    }
}
