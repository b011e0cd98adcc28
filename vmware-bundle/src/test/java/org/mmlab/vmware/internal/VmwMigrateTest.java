package org.mmlab.vmware.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.VmEvent;

/**
 * vmballoon_migratepage() under each contract where the driver has one (2016, 2025): UNLOCK the old page,
 * LOCK the new one; a hypervisor that refuses the new page, under each kernel's handling of it; conf_sem
 * held by a reset; and a 2012 guest, whose vmw balloon pages are not movable.
 */
class VmwMigrateTest {
    /** No 2 MiB pages: the balloon's pages are all 4 KiB, all movable. */
    static final String NO_2M = DeviceConfig.ALL_CAPABILITIES.replace("BATCHED_2M_CMDS,", "");
    static final int PAGES = 64;

    private static int firstPage(TestGuest g, VmwDevice d) {
        for (int pfn = 0; pfn < g.mm.nrPages(); pfn++) {
            if (g.mm.frameHolder(pfn) == d.hypervisor()) {
                return pfn;
            }
        }
        throw new AssertionError("the balloon holds no page");
    }

    @ParameterizedTest
    @EnumSource(value = MigrationContract.class, names = {"NON_LRU_2016", "MOVABLE_OPS_2025"})
    void aMigratedPageIsUnlockedAndTheNewOneLocked(MigrationContract contract) {
        try (TestGuest g = new TestGuest(contract)) {
            VmwDevice d = g.device("0", NO_2M, "normal", false, "enoent");
            TestGuest.inflateTo(d, PAGES);
            int pfn = firstPage(g, d);

            assertThat(g.mm.migrateRange(pfn, pfn + 1, MigrateMode.SYNC)).isEqualTo(1);

            assertThat(g.mm.frameHolder(pfn)).isNull();
            assertThat(d.hypervisor().view().held()).isEqualTo(PAGES);
            assertThat(d.driver().size()).isEqualTo(PAGES);
            assertThat(g.mm.vmEvents(VmEvent.BALLOON_MIGRATE)).isEqualTo(1);
            g.assertClean();
        }
    }

    /**
     * The hypervisor's target drops by a page, so after the UNLOCK it needs no new page (PPN_NOTNEEDED):
     * the balloon shrinks by one whatever the kernel. Before 4ba5a8a7faa6 (ebusy) the 2025 core put the
     * page back to no device and WARNed; the 2016 core freed it, as every fix does.
     */
    @ParameterizedTest
    @CsvSource({"NON_LRU_2016, ebusy, false", "MOVABLE_OPS_2025, ebusy, true", "NON_LRU_2016, success, false",
        "MOVABLE_OPS_2025, success, false", "NON_LRU_2016, enoent, false", "MOVABLE_OPS_2025, enoent, false"})
    void aNewPageTheHypervisorRefusesShrinksTheBalloonByOne(MigrationContract contract, String version,
            boolean warns) {
        try (TestGuest g = new TestGuest(contract)) {
            VmwDevice d = g.device("0", NO_2M, "normal", false, version);
            TestGuest.inflateTo(d, PAGES);
            TestGuest.inflateTo(d, PAGES - 1); // within the 2 MiB slack: the driver deflates nothing
            int pfn = firstPage(g, d);

            g.mm.migrateRange(pfn, pfn + 1, MigrateMode.SYNC);

            assertThat(g.mm.pageCount(pfn)).as("the old page is the guest's again").isZero();
            assertThat(d.driver().size()).isEqualTo(PAGES - 1);
            assertThat(d.state().pages4k()).isEqualTo(PAGES - 1);
            assertThat(d.hypervisor().view().held()).isEqualTo(PAGES - 1);
            assertThat(g.dmesg().stream().anyMatch(l -> l.contains("WARN_ON_ONCE(!b_dev_info)"))).isEqualTo(warns);
            g.assertClean();
        }
    }

    @ParameterizedTest
    @EnumSource(value = MigrationContract.class, names = {"NON_LRU_2016", "MOVABLE_OPS_2025"})
    void whileAResetHoldsConfSemMigrationIsRetriedAndThePagePutBack(MigrationContract contract) throws Exception {
        try (TestGuest g = new TestGuest(contract)) {
            VmwDevice d = g.device("0", NO_2M, "normal", false, "enoent");
            TestGuest.inflateTo(d, PAGES);
            int pfn = firstPage(g, d);

            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            Thread reset = new Thread(() -> { // down_write(&b->conf_sem) on another task, as vmballoon_reset() does
                d.driver().confSem.writeLock().lock();
                held.countDown();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    d.driver().confSem.writeLock().unlock();
                }
            });
            reset.start();
            held.await();
            try {
                assertThat(g.mm.migrateRange(pfn, pfn + 1, MigrateMode.SYNC)).isZero();
            } finally {
                done.countDown();
                reset.join();
            }

            assertThat(g.mm.frameHolder(pfn)).isSameAs(d.hypervisor());
            assertThat(d.state().isolatedPages()).isZero();
            g.assertClean();
        }
    }

    @ParameterizedTest
    @EnumSource(value = MigrationContract.class, names = {"NON_LRU_2016", "MOVABLE_OPS_2025"})
    void aHypervisorThatRefusesTheUnlockKeepsThePageInTheBalloon(MigrationContract contract) {
        try (TestGuest g = new TestGuest(contract)) {
            VmwDevice d = g.device("0", NO_2M, "normal", false, "enoent");
            TestGuest.inflateTo(d, PAGES);
            int pfn = firstPage(g, d);
            d.hypervisor().setBehaviour(HostBehaviour.parse("busy"));

            assertThat(g.mm.migrateRange(pfn, pfn + 1, MigrateMode.SYNC)).isZero();

            assertThat(g.mm.frameHolder(pfn)).isSameAs(d.hypervisor());
            assertThat(d.state().pages4k()).isEqualTo(PAGES);
            g.assertClean();
        }
    }

    /** vmw_balloon's compaction support came with v5.1: under the 2012 contract its pages do not move. */
    @ParameterizedTest
    @EnumSource(value = MigrationContract.class, names = "BALLOON_2012")
    void a2012GuestsBalloonPagesAreNotMovable(MigrationContract contract) {
        try (TestGuest g = new TestGuest(contract)) {
            VmwDevice d = g.device("0", NO_2M, "normal", false, "enoent");
            TestGuest.inflateTo(d, PAGES);
            int pfn = firstPage(g, d);

            assertThat(g.mm.migrateRange(pfn, pfn + 1, MigrateMode.SYNC)).isZero();

            assertThat(g.mm.frameHolder(pfn)).isSameAs(d.hypervisor());
            g.assertClean();
        }
    }
}
