package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.Mm;
import org.mmlab.mm.testing.TestDriver.Balloon2012;

/** The 2012 contract (v3.8 balloon_compaction): rules i, ii and iii of seed 000. */
class BalloonCompaction2012Test extends MovableMigrationContractTest<Balloon2012<MovablePages2012Impl>> {
    @Override
    String contract() {
        return "2012";
    }

    @Override
    Balloon2012<MovablePages2012Impl> newDriver(GuestMemory guest) {
        return FakeMovableDrivers.balloon2012(guest);
    }

    @Override
    int add() {
        return d.add();
    }

    @Override
    boolean isolatedMark(int pfn) {
        return false; // 2012 has no flag: page_count() == 2 off the balloon list says it
    }

    @Override
    boolean markedMovable(int pfn) {
        return ((BalloonCompaction2012) g.migrate.movable).balloonMapping(pfn, null) != null;
    }

    @Test
    void theLocklessHintSeesOnlyAnIdleBalloonPage() {
        int pfn = d.add();
        assertThat(d.mp.balloonPageMovable(pfn)).isTrue();
        assertThat(d.mp.balloonPageDevice(pfn)).isSameAs(d);

        g.lockPage(pfn);
        assertThat(d.mp.balloonPageMovable(pfn)).as("PG_locked is a PAGE_FLAGS_CHECK_AT_PREP flag").isFalse();
        g.unlockPage(pfn);
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        assertThat(d.mp.balloonPageMovable(pfn)).as("page_count 2 while isolated").isFalse();
    }

    @Test
    void ruleIiiAPageTheBalloonIsReleasingIsNotIsolated() {
        int pfn = d.add();
        // balloon_page_dequeue() raised the count under the page lock and cleared the mapping (rule ii)
        g.lockPage(pfn);
        g.getPage(pfn);
        d.mp.balloonPageClearMapping(pfn);
        g.unlockPage(pfn);

        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isFalse();

        assertThat(g.pageCount(pfn)).isEqualTo(2);
        assertThat(d.isolateCalls()).isZero();
    }

    @Test
    void deflatingFindsNothingWhileTheOnlyPageIsIsolatedAndGetsItAfterPutback() {
        int pfn = d.add();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();

        assertThat(d.deflate()).isEqualTo(Mm.NO_PAGE);

        new MigrationList(g, pfn).putback();
        assertThat(d.deflate()).isEqualTo(pfn);
        assertThat(g.pageCount(pfn)).isZero();
        assertOk(g, null);
    }

    @Test
    void aMigratedBalloonPageCanBeMigratedAgainAndDeflated() {
        int pfn = d.add();
        for (int i = 0; i < 5; i++) {
            assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
            MigrationList list = new MigrationList(g, pfn);
            assertThat(list.migrate(MigrateMode.SYNC_LIGHT)).isZero();
            pfn = list.lastTarget();
        }
        assertThat(d.nrPages()).isEqualTo(1);
        assertThat(d.isolatedPages()).isZero();
        assertThat(d.deflate()).isEqualTo(pfn);
        assertThat(d.mp.owners().get(0).migrated()).isEqualTo(5);
        assertOk(g, null);
    }

    @Test
    void inTheWeakMemoryModeAClearedMappingStaysInItsCpusStoreBufferUntilABarrier() throws Exception {
        int pfn = d.add();
        g.setWeakMemory(true);
        g.lockPage(pfn);
        d.mp.balloonPageClearMappingLockless(pfn);

        assertThat(((BalloonCompaction2012) g.migrate.movable).balloonMapping(pfn, null)).as("this CPU forwards its own store").isNull();
        assertThat(CompletableFuture.supplyAsync(() -> ((BalloonCompaction2012) g.migrate.movable).balloonMapping(pfn, null)).get())
                .as("another CPU still sees memory").isNotNull();
        g.storeBuffer.drain(); // smp_wmb()
        assertThat(CompletableFuture.supplyAsync(() -> ((BalloonCompaction2012) g.migrate.movable).balloonMapping(pfn, null)).get()).isNull();
        g.unlockPage(pfn);
    }

    @Test
    void unlockPageIsAReleaseThatDrainsTheStoreBuffer() throws Exception {
        int pfn = d.add();
        g.setWeakMemory(true);
        g.lockPage(pfn);
        d.mp.balloonPageClearMapping(pfn);
        g.unlockPage(pfn);

        assertThat(CompletableFuture.supplyAsync(() -> ((BalloonCompaction2012) g.migrate.movable).balloonMapping(pfn, null)).get()).isNull();
    }

    @Test
    void withoutRuleIiiIsolationDereferencesTheMappingOfAReleasedPage() {
        int pfn = d.add();
        g.lockPage(pfn);
        d.mp.balloonPageClearMapping(pfn); // released by the balloon, still its driver's
        g.unlockPage(pfn);
        g.debug.setIsolateRetest(false);

        assertThatThrownBy(() -> g.migrate.isolateMovablePage(pfn, 0)).isInstanceOf(KernelBug.class)
                .hasMessageStartingWith("BUG: kernel NULL pointer dereference, address: 0000000000000008");
        assertThat(String.join("\n", g.dmesg().lines())).contains("RIP: 0010:__isolate_balloon_page");
    }

    @Test
    void aPlainGetPageOnAFreedPageIsAVmBugWhereGetPageUnlessZeroLeavesItAlone() {
        int pfn = d.add();
        assertThat(d.deflate()).isEqualTo(pfn);
        assertThat(g.pageCount(pfn)).isZero();

        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isFalse();
        g.debug.setIsolateUnlessZero(false);
        assertThatThrownBy(() -> g.migrate.isolateMovablePage(pfn, 0)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("VM_BUG_ON_PAGE(folio_ref_zero_or_close_to_overflow(folio))")
                .hasMessageContaining("kernel BUG at include/linux/mm.h:1386 (v6.18.2)"); // folio_get(), in that kernel
    }
}
