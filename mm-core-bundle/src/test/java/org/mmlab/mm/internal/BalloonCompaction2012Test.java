package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.Mm;

/** The 2012 contract (v3.8 balloon_compaction): rules i, ii and iii of seed 000. */
class BalloonCompaction2012Test extends MovableMigrationContractTest<FakeMovableDrivers.Balloon2012> {
    @Override
    String contract() {
        return "2012";
    }

    @Override
    FakeMovableDrivers.Balloon2012 newDriver(GuestMemory guest) {
        return new FakeMovableDrivers.Balloon2012(guest);
    }

    @Override
    int add() {
        return d.inflate();
    }

    @Override
    boolean isolatedMark(int pfn) {
        return false; // 2012 has no flag: page_count() == 2 off the balloon list says it
    }

    @Override
    boolean markedMovable(int pfn) {
        return g.migrate.balloonMapping(pfn, null) != null;
    }

    @Test
    void theLocklessHintSeesOnlyAnIdleBalloonPage() {
        int pfn = d.inflate();
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
        int pfn = d.inflate();
        // balloon_page_dequeue() raised the count under the page lock and cleared the mapping (rule ii)
        g.lockPage(pfn);
        g.getPage(pfn);
        d.mp.balloonPageClearMapping(pfn);
        g.unlockPage(pfn);

        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isFalse();

        assertThat(g.pageCount(pfn)).isEqualTo(2);
        assertThat(d.isolateCalls).isZero();
    }

    @Test
    void deflatingFindsNothingWhileTheOnlyPageIsIsolatedAndGetsItAfterPutback() {
        int pfn = d.inflate();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();

        assertThat(d.deflate()).isEqualTo(Mm.NO_PAGE);

        new MigrationList(g, pfn).putback();
        assertThat(d.deflate()).isEqualTo(pfn);
        assertThat(g.pageCount(pfn)).isZero();
        assertOk(g, null);
    }

    @Test
    void aMigratedBalloonPageCanBeMigratedAgainAndDeflated() {
        int pfn = d.inflate();
        for (int i = 0; i < 5; i++) {
            assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
            MigrationList list = new MigrationList(g, pfn);
            assertThat(list.migrate(MigrateMode.SYNC_LIGHT)).isZero();
            pfn = list.lastTarget();
        }
        assertThat(d.nrPages).isEqualTo(1);
        assertThat(d.isolatedPages).isZero();
        assertThat(d.deflate()).isEqualTo(pfn);
        assertThat(d.mp.owners().get(0).migrated()).isEqualTo(5);
        assertOk(g, null);
    }
}
