package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmlab.mm.Errno;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.MovableOwner;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.admin.CompactStats;
import org.mmlab.mm.admin.Compactor;
import org.mmlab.mm.admin.GuestConfig;
import org.mmlab.mm.testing.TestDriver;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * This test bundle is a driver: it gets MovablePages from the service registry (so the core records
 * the bundle as the owner of what it registers), makes a few pages movable under each of the three
 * migration contracts, and lets compact_memory (the Compactor service mm:compact runs) move them. Each
 * test boots a fresh default guest under the contract, with kcompactd stopped so that only the test's
 * compaction migrates; afterwards the driver gives every page back and undoes its registration, and the guest
 * checks OK with every page back.
 */
@ParameterizedClass(name = "contract {0}")
@EnumSource(MigrationContract.class)
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class MovablePagesInFelixTest {
    private static final long WAIT_MS = 10_000;
    /** Pages the driver makes movable: one compaction batch (COMPACT_CLUSTER_MAX is 32). */
    private static final int PAGES = 16;

    @Parameter
    MigrationContract contract;

    @InjectService(cardinality = 0)
    ServiceAware<MemoryManager> memoryManagers;

    /** Service scope BUNDLE: the instance the core made for this test bundle. */
    @InjectService(cardinality = 0)
    ServiceAware<MovablePages> movablePages;

    @InjectBundleContext
    BundleContext context;

    @RegisterExtension
    final FreshGuestSetup guest = new FreshGuestSetup(() -> contract);

    MemoryManager mm;
    TestDriver<?> driver;
    /** The driver's pages as it added them, at the bottom of ZONE_Normal. */
    List<Integer> before;
    /** The page the test holds two pageblocks above the driver's: a plain allocation compaction leaves alone. */
    int held = Mm.NO_PAGE;

    @BeforeEach
    void letTheDriverAddItsPagesToTheFreshGuest() throws Exception {
        BalloonInfrastructure.stop(context); // this driver's own movable_ops take PGTY_offline
        MovablePages mp = movablePages.waitForService(WAIT_MS);
        assertThat(mp).as("MovablePages of the rebooted guest").isNotNull();
        assertThat(mp.contract()).isEqualTo(contract);
        mm = memoryManagers.waitForService(WAIT_MS);
        driver = TestDriver.of(mm, mp);
        before = driver.add(PAGES);
        held = holdTheFirstPageTwoPageblocksAbove(before);
    }

    /**
     * Compaction's free scanner takes no target from a pageblock that starts with a free 2 MiB block
     * (suitable_migration_target()), nor from the pageblock after the migrate scanner's
     * (isolate_freepages() stops at pageblock_end_pfn(cc->migrate_pfn)), so a freshly booted guest
     * offers it none. The driver's pages sit at the bottom of ZONE_Normal, in the first pageblock the
     * allocator split; the test allocates order-0 pages until it holds the first page of the
     * pageblock two above, and frees the others: that pageblock is then one page held and 511 free in
     * blocks of order 0 to 8, where the free scanner, coming down, stops; the migrate scanner, coming
     * up, finds the driver's pages first. Returns the page held.
     */
    private int holdTheFirstPageTwoPageblocksAbove(List<Integer> driverPages) {
        int pageblock = driverPages.get(0) >> Mm.PAGEBLOCK_ORDER;
        assertThat(driverPages).as("the driver's pages share one pageblock")
                .allMatch(pfn -> pfn >> Mm.PAGEBLOCK_ORDER == pageblock);
        int target = (pageblock + 2) << Mm.PAGEBLOCK_ORDER;
        List<Integer> fillers = new ArrayList<>();
        int pfn;
        do {
            pfn = mm.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
            assertThat(pfn).as("the allocator fills the driver's pageblock and the next, then splits the one"
                    + " after").isBetween(pageblock << Mm.PAGEBLOCK_ORDER, target);
            fillers.add(pfn);
        } while (pfn != target);
        fillers.remove(fillers.size() - 1);
        fillers.forEach(p -> mm.freePages(p, 0));
        return target;
    }

    @AfterEach
    void giveEveryPageBackUnregisterAndCheck() throws Exception {
        try {
            if (driver != null) {
                driver.close();
            }
            if (held != Mm.NO_PAGE) {
                mm.freePages(held, 0);
            }
            assertThat(guest.check()).isEqualTo("mm:check: OK");
            assertThat(guest.memFreeKb()).as("MemFree, every page back").isEqualTo(guest.memFreeAtBootKb());
            assertThat(guest.debug().state().reports()).as("checker reports; dmesg:%n%s",
                    String.join("\n", guest.views().dmesg())).isZero();
        } finally {
            BalloonInfrastructure.start(context);
        }
    }

    @AfterAll
    static void bootTheDefaultContractAgain() throws Exception {
        FreshGuest.boot(Services.get(GuestConfig.class), MigrationContract.MOVABLE_OPS_2025);
    }

    /** The registrations of this test bundle in mm-core's registry of movable-page owners, in order. */
    private List<MovableOwner> myRegistrations() throws InterruptedException {
        String bsn = context.getBundle().getSymbolicName();
        return movablePages.waitForService(WAIT_MS).owners().stream().filter(o -> o.bundle().equals(bsn)).toList();
    }

    private long pgmigrateFail() {
        return mm.vmstat().get("pgmigrate_fail");
    }

    @Test
    void compactionMovesEveryPageThroughTheDriversMigrateCallbackAndTheGuestChecksOk() throws Exception {
        guest.compactor().compactMemory(MigrateMode.SYNC);

        Set<Integer> after = driver.pages();
        for (int pfn : before) {
            assertThat(driver.migrateCalls(pfn)).as("migrate calls for pfn %#x", pfn).isEqualTo(1);
            assertThat(driver.movedTo(pfn)).as("where pfn %#x went", pfn).isNotNull().isIn(after);
        }
        assertThat(after).hasSize(PAGES).doesNotContainAnyElementsOf(before)
                .allMatch(driver::isMine, "movable as the driver's, the " + contract + " way");
        assertThat(guest.check()).isEqualTo("mm:check: OK");
    }

    @Test
    void migrationNamesThisBundleAsTheOwnerOfThePagesThatMoved() throws Exception {
        guest.compactor().compactMemory(MigrateMode.SYNC);

        assertThat(myRegistrations()).singleElement()
                .satisfies(row -> {
                    assertThat(row.contract()).isEqualTo(contract);
                    assertThat(row.released()).isFalse();
                    assertThat(row.pages()).as(row.toString()).isEqualTo(PAGES);
                    assertThat(row.isolated()).as(row.toString()).isZero();
                    assertThat(row.isolations()).as(row.toString()).isEqualTo(PAGES);
                    assertThat(row.migrated()).as(row.toString()).isEqualTo(PAGES);
                    assertThat(row.putBack()).as(row.toString()).isZero();
                });
    }

    @Test
    void aPageWhoseMigrationFailsForGoodIsPutBackToTheDriverWhereItWas() throws Exception {
        int refused = before.get(0);
        driver.answer(refused, -Errno.EBUSY);
        long failedBefore = pgmigrateFail();

        guest.compactor().compactMemory(MigrateMode.SYNC);

        assertThat(driver.migrateCalls(refused)).as("asked once: -EBUSY is not retried").isEqualTo(1);
        assertThat(driver.putbackCalls(refused)).as("put back once").isEqualTo(1);
        assertThat(driver.movedTo(refused)).isNull();
        assertThat(driver.pages()).hasSize(PAGES).contains(refused)
                .doesNotContainAnyElementsOf(before.subList(1, PAGES));
        assertThat(driver.isMine(refused)).isTrue();
        assertThat(pgmigrateFail()).isEqualTo(failedBefore + 1);
        assertThat(myRegistrations()).singleElement()
                .satisfies(row -> {
                    assertThat(row.putBack()).as(row.toString()).isEqualTo(1);
                    assertThat(row.migrated()).as(row.toString()).isEqualTo(PAGES - 1);
                    assertThat(row.isolated()).as(row.toString()).isZero();
                });
    }

    @Test
    void aPageWhoseMigrationAsksToBeRetriedMovesOnTheNextPass() throws Exception {
        int busy = before.get(0);
        driver.answer(busy, -Errno.EAGAIN);

        guest.compactor().compactMemory(MigrateMode.SYNC);

        assertThat(driver.migrateCalls(busy)).as("-EAGAIN, then migrated on the next pass").isEqualTo(2);
        assertThat(driver.putbackCalls(busy)).isZero();
        assertThat(driver.movedTo(busy)).isNotNull().isIn(driver.pages());
        assertThat(driver.pages()).hasSize(PAGES).doesNotContainAnyElementsOf(before);
    }

    @Test
    void aPageTheDriverHoldsLockedIsNotIsolatedAndStaysWhereItIs() throws Exception {
        int locked = before.get(0);
        assertThat(mm.trylockPage(locked)).isTrue();
        // compaction runs on another thread: were it to wait for this lock, the test fails instead of hanging
        CompletableFuture<CompactStats> compact = CompletableFuture.supplyAsync(
                () -> guest.compactor().compactMemory(MigrateMode.SYNC));
        try {
            compact.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("compaction waits for the lock of pfn " + Integer.toHexString(locked)
                    + ": isolation must only trylock_page()", e);
        } finally {
            mm.unlockPage(locked);
            compact.join();
        }

        assertThat(driver.isolateCalls(locked)).as("locked: isolation left it alone, the driver was never asked")
                .isZero();
        assertThat(driver.migrateCalls(locked)).isZero();
        Set<Integer> others = new HashSet<>(before.subList(1, PAGES));
        assertThat(driver.pages()).hasSize(PAGES).contains(locked).doesNotContainAnyElementsOf(others);
    }

    @Test
    void aPageItsOwnerReleasesWhileItIsIsolatedIsFreedByMigrationWithoutTheDriver() throws Exception {
        assumeTrue(contract != MigrationContract.BALLOON_2012,
                "2012: a balloon can only dequeue the pages on its list, never one isolated from it");
        int released = Collections.min(before);
        int last = Collections.max(before);
        // the migrate scanner isolates upward: when it takes the driver's last page, the first is isolated
        driver.whenIsolated(last, () -> driver.releaseIsolated(released));
        long freeBefore = guest.memFreeKb();

        guest.compactor().compactMemory(MigrateMode.SYNC);

        assertThat(driver.isolateCalls(released)).isEqualTo(1);
        assertThat(driver.migrateCalls(released)).as("no migrate call for a page its owner let go").isZero();
        assertThat(driver.putbackCalls(released)).isZero();
        assertThat(driver.pages()).hasSize(PAGES - 1).doesNotContain(released).doesNotContainAnyElementsOf(before);
        assertThat(guest.memFreeKb()).as("MemFree, kB: the released page is free")
                .isEqualTo(freeBefore + Mm.PAGE_SIZE / 1024);
        assertThat(myRegistrations()).singleElement()
                .satisfies(row -> {
                    assertThat(row.pages()).as(row.toString()).isEqualTo(PAGES - 1);
                    assertThat(row.migrated()).as(row.toString()).isEqualTo(PAGES - 1);
                    assertThat(row.putBack()).as(row.toString()).isZero();
                });
    }

    @Test
    void closingTheDriverGivesEveryPageBackAndLeavesItsRegistrationReleased() throws Exception {
        guest.compactor().compactMemory(MigrateMode.SYNC);
        long freeBefore = guest.memFreeKb();

        driver.close();
        driver = null;

        assertThat(guest.memFreeKb()).as("MemFree, kB")
                .isEqualTo(freeBefore + PAGES * (long) Mm.PAGE_SIZE / 1024);
        assertThat(myRegistrations()).singleElement()
                .satisfies(row -> {
                    assertThat(row.released()).as(row.toString()).isTrue();
                    assertThat(row.pages()).as(row.toString()).isZero();
                });
    }
}
