package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmlab.mm.Errno;
import org.mmlab.mm.IsolateMode;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MovableOwner;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.testing.TestDriver;

/**
 * What every contract's movable pages go through, each failure path included; the subclasses run
 * it under 2012, 2016 and 2025 with a fake driver of that era, and add what only their contract has.
 */
abstract class MovableMigrationContractTest<D extends TestDriver<?>> {
    GuestMemory g;
    D d;

    abstract String contract();

    abstract D newDriver(GuestMemory guest);

    /** The driver takes a new page (inflate, __SetPageMovable, SetPageMovableOps): refcount 1, on its list. */
    abstract int add();

    /** The contract's isolated mark on the page (PG_isolated, PG_movable_ops_isolated; 2012 has none). */
    abstract boolean isolatedMark(int pfn);

    /** The page is marked as the driver's movable page (balloon mapping, PageMovable, PG_movable_ops + type). */
    abstract boolean markedMovable(int pfn);

    @BeforeEach
    void boot() {
        g = FakeMovableDrivers.guest(contract());
        d = newDriver(g);
    }

    private long vm(VmItem item) {
        return g.vmstat.get(item);
    }

    private MovableOwner owner() {
        return d.mp.owners().get(0);
    }

    @Test
    void anIsolatedPageMigratesToANewPageTheDriverOwnsAndTheOldPageIsFreed() {
        int pfn = add();
        assertThat(g.migrate.pageHasMovableOps(pfn)).isTrue();

        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        assertThat(d.owns(pfn)).isFalse();
        assertThat(g.pageCount(pfn)).isEqualTo(2);
        assertThat(g.migrate.isolatedMovable(pfn)).isTrue();
        assertThat(owner().isolated()).isEqualTo(1);
        assertOk(g, null);

        MigrationList list = new MigrationList(g, pfn);
        assertThat(list.migrate(MigrateMode.SYNC)).isZero();

        int dst = list.lastTarget();
        assertThat(list.succeeded).isEqualTo(1);
        assertThat(list.pages()).isEmpty();
        assertThat(d.owns(dst)).isTrue();
        assertThat(markedMovable(dst)).isTrue();
        assertThat(isolatedMark(dst)).isFalse();
        assertThat(g.pageCount(dst)).isEqualTo(1);
        assertThat(g.testPageFlag(dst, PageFlags.PG_locked)).isFalse();
        assertThat(g.pageCount(pfn)).as("the old page went back to the allocator").isZero();
        assertThat(g.map.mapping[pfn]).isZero();
        assertThat(g.migrate.isolatedMovable(pfn)).isFalse();
        assertThat(vm(VmItem.PGMIGRATE_SUCCESS)).isEqualTo(1);
        assertThat(vm(VmItem.PGMIGRATE_FAIL)).isZero();
        assertThat(owner().pages()).isEqualTo(1);
        assertThat(owner().migrated()).isEqualTo(1);
        assertThat(owner().isolated()).isZero();
        assertOk(g, null);
    }

    @Test
    void putbackGivesTheDriverItsPageBackWithTheRefcountItHadBefore() {
        int pfn = add();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        MigrationList list = new MigrationList(g, pfn);

        list.putback();

        assertThat(list.pages()).isEmpty();
        assertThat(d.owns(pfn)).isTrue();
        assertThat(d.putbackCalls()).isEqualTo(1);
        assertThat(g.pageCount(pfn)).isEqualTo(1);
        assertThat(isolatedMark(pfn)).isFalse();
        assertThat(markedMovable(pfn)).isTrue();
        assertThat(g.testPageFlag(pfn, PageFlags.PG_locked)).isFalse();
        assertThat(owner().putBack()).isEqualTo(1);
        assertOk(g, null);
        // and it can be isolated again
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
    }

    @Test
    void aPageWhoseRefcountIsAlreadyZeroIsNotIsolatedAndNothingChanges() {
        int pfn = add();
        int free = g.allocPages(MigrationList.GFP_TARGET, 0);
        g.freePages(free, 0);
        int flags = g.map.flagsWord(free);
        int mapping = g.map.mapping[free];

        assertThat(g.migrate.isolateMovablePage(free, 0)).isFalse();

        assertThat(g.pageCount(free)).isZero();
        assertThat(g.map.flagsWord(free)).isEqualTo(flags);
        assertThat(g.map.mapping[free]).isEqualTo(mapping);
        assertThat(d.isolateCalls()).isZero();
        assertThat(d.owns(pfn)).isTrue();
        assertOk(g, null);
    }

    @Test
    void aPageSomeoneElseHasLockedIsNotIsolatedAndTheReferenceIsDropped() {
        int pfn = add();
        assertThat(g.trylockPage(pfn)).isTrue();

        assertThat(g.migrate.isolateMovablePage(pfn, IsolateMode.ISOLATE_ASYNC_MIGRATE)).isFalse();

        assertThat(g.pageCount(pfn)).isEqualTo(1);
        assertThat(d.isolateCalls()).isZero();
        assertThat(d.owns(pfn)).isTrue();
        assertThat(isolatedMark(pfn)).isFalse();
        assertThat(g.testPageFlag(pfn, PageFlags.PG_locked)).as("still the other holder's").isTrue();
        g.unlockPage(pfn);
        assertOk(g, null);
    }

    @Test
    void anIsolatedPageIsNotIsolatedTwice() {
        int pfn = add();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();

        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isFalse();

        assertThat(g.pageCount(pfn)).isEqualTo(2);
        assertThat(d.isolateCalls()).isLessThanOrEqualTo(1);
        new MigrationList(g, pfn).putback();
        assertThat(g.pageCount(pfn)).isEqualTo(1);
        assertOk(g, null);
    }

    @Test
    void aDriverThatReturnsEagainIsRetriedUntilItSucceedsAndTheMigrationCountsOnce() {
        int pfn = add();
        for (int i = 0; i < 3; i++) {
            d.answerAll(-Errno.EAGAIN);
        }
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        g.drainAllPages();
        long freeBefore = g.freePages(); // the old page comes back, the new one goes
        MigrationList list = new MigrationList(g, pfn);

        assertThat(list.migrate(MigrateMode.SYNC)).isZero();
        g.drainAllPages(); // the old page and the unused targets went to the per-cpu list

        assertThat(d.migrateCalls()).isEqualTo(4);
        assertThat(list.succeeded).isEqualTo(1);
        assertThat(vm(VmItem.PGMIGRATE_SUCCESS)).isEqualTo(1);
        assertThat(vm(VmItem.PGMIGRATE_FAIL)).isZero();
        assertThat(d.owns(list.lastTarget())).isTrue();
        assertThat(list.targets).as("a new target each attempt; the unused ones went back").hasSize(4);
        assertThat(g.freePages()).isEqualTo(freeBefore);
        assertThat(g.pageCount(pfn)).isZero();
        assertOk(g, null);
    }

    @Test
    void aDriverThatKeepsReturningEagainIsGivenUpAfterTenPassesAndThePageStaysOnTheList() {
        int pfn = add();
        for (int i = 0; i < 20; i++) {
            d.answerAll(-Errno.EAGAIN);
        }
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        MigrationList list = new MigrationList(g, pfn);

        assertThat(list.migrate(MigrateMode.SYNC)).isEqualTo(1);

        assertThat(d.migrateCalls()).isEqualTo(Migrate.NR_MAX_MIGRATE_PAGES_RETRY);
        assertThat(list.pages()).containsExactly(pfn);
        assertThat(vm(VmItem.PGMIGRATE_FAIL)).isEqualTo(1);
        assertThat(g.pageCount(pfn)).isEqualTo(2);
        assertOk(g, null);
        list.putback();
        assertThat(d.owns(pfn)).isTrue();
        assertThat(g.pageCount(pfn)).isEqualTo(1);
        assertOk(g, null);
    }

    @Test
    void aPermanentFailureLeavesThePageIsolatedOnTheListAndPutbackReturnsItToTheDriver() {
        int pfn = add();
        d.answerAll(-Errno.EBUSY);
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        MigrationList list = new MigrationList(g, pfn);

        assertThat(list.migrate(MigrateMode.SYNC)).isEqualTo(1);

        assertThat(d.migrateCalls()).as("not retried").isEqualTo(1);
        assertThat(list.pages()).containsExactly(pfn);
        assertThat(g.migrate.isolatedMovable(pfn)).isTrue();
        assertThat(g.pageCount(list.lastTarget())).as("the unused target went back").isZero();
        assertThat(vm(VmItem.PGMIGRATE_FAIL)).isEqualTo(1);
        assertThat(vm(VmItem.PGMIGRATE_SUCCESS)).isZero();
        list.putback();
        assertThat(d.owns(pfn)).isTrue();
        assertThat(g.pageCount(pfn)).isEqualTo(1);
        assertThat(isolatedMark(pfn)).isFalse();
        assertThat(markedMovable(pfn)).isTrue();
        assertOk(g, null);
    }

    @Test
    void asyncMigrationGivesUpOnAPageSomeoneHoldsLocked() {
        int pfn = add();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        g.lockPage(pfn);
        MigrationList list = new MigrationList(g, pfn);

        assertThat(list.migrate(MigrateMode.ASYNC)).isEqualTo(1);

        assertThat(d.migrateCalls()).isZero();
        g.unlockPage(pfn);
        list.putback();
        assertThat(d.owns(pfn)).isTrue();
        assertOk(g, null);
    }

    @Test
    void syncMigrationWaitsForThePageLockOutsideStopMachineSoMmCheckRunsMeanwhile() throws Exception {
        int pfn = add();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        g.lockPage(pfn);
        MigrationList list = new MigrationList(g, pfn);
        AtomicInteger rc = new AtomicInteger(-1);
        AtomicReference<Throwable> died = new AtomicReference<>();
        Thread migrator = new Thread(() -> {
            try {
                rc.set(list.migrate(MigrateMode.SYNC));
            } catch (Throwable t) {
                died.set(t);
            }
        }, "migrator");
        migrator.start();
        // from the fourth pass on, migrate_pages() sleeps in lock_page(): PG_waiters says so
        while (!g.testPageFlag(pfn, PageFlags.PG_waiters) && migrator.isAlive()) {
            Thread.onSpinWait();
        }
        assertOk(g, null); // stop_machine does not wait for a sleeping task
        g.unlockPage(pfn);
        migrator.join();

        assertThat(died.get()).isNull();
        assertThat(rc.get()).isZero();
        assertThat(d.owns(list.lastTarget())).isTrue();
        assertOk(g, null);
    }

    @Test
    void whenNoTargetPageIsLeftMigrationStopsWithEnomemAndThePagesStayOnTheList() {
        int a = add();
        int b = add();
        assertThat(g.migrate.isolateMovablePage(a, 0)).isTrue();
        assertThat(g.migrate.isolateMovablePage(b, 0)).isTrue();
        int head = g.map.allocListHead();
        g.lists.add(a, head);
        g.lists.add(b, head);

        int rc = g.migrate.migratePages(head, (src, order) -> org.mmlab.mm.Mm.NO_PAGE, null, MigrateMode.SYNC,
                Migrate.Reason.COMPACTION, null);

        assertThat(rc).isEqualTo(-Errno.ENOMEM);
        assertThat(d.migrateCalls()).isZero();
        g.migrate.putbackMovablePages(head);
        assertThat(d.owns(a)).isTrue();
        assertThat(d.owns(b)).isTrue();
        assertOk(g, null);
    }

    @Test
    void thousandsOfMigrationsAndPutbacksKeepEveryPageTheDriversAndMmCheckOk() {
        int[] pages = new int[64];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = add();
        }
        java.util.Random rnd = new java.util.Random(5);
        int migrated = 0;
        for (int round = 0; round < 100; round++) {
            MigrationList list = new MigrationList(g);
            for (int i = 0; i < pages.length; i++) {
                if (rnd.nextInt(3) == 0) {
                    d.answerAll(rnd.nextInt(4) == 0 ? -Errno.EBUSY : -Errno.EAGAIN);
                }
            }
            for (int pfn : d.pages()) {
                if (rnd.nextBoolean() && g.migrate.isolateMovablePage(pfn, 0)) {
                    list.add(pfn);
                }
            }
            list.migrate(rnd.nextBoolean() ? MigrateMode.SYNC : MigrateMode.ASYNC);
            migrated += list.succeeded;
            list.putback();
            list.close();
            d.forgetAnswers();
        }
        assertThat(d.nrPages()).isEqualTo(pages.length);
        assertThat(migrated).isGreaterThan(1000);
        assertThat(owner().pages()).isEqualTo(pages.length);
        assertThat(owner().isolated()).isZero();
        assertThat(vm(VmItem.NR_ISOLATED_ANON)).isZero();
        assertOk(g, null);
    }
}
