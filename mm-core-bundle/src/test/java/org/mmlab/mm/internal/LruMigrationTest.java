package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.admin.CheckResult;

/**
 * User pages migrate: the new page takes the content and the state, the owner's PTE follows, the
 * old page is freed, and the workload finds its data where it expects it, also while it runs.
 */
class LruMigrationTest {
    /** A mapped page of some live process: {slot's process, vpage, pfn}. */
    record Mapped(WorkloadProcess p, int vpage, int pfn) {
    }

    static List<Mapped> mapped(Workload w) {
        List<Mapped> out = new ArrayList<>();
        Workload.Run r = w.currentRun();
        for (int i = 0; i < r.slots.length(); i++) {
            WorkloadProcess p = r.slots.get(i);
            if (p == null || p.dead()) {
                continue;
            }
            for (int v = 0; v < p.nrVpages; v++) {
                int pte = p.pte(v);
                if (pte >= 0) {
                    out.add(new Mapped(p, v, pte));
                }
            }
        }
        return out;
    }

    private static Workload stepped(GuestMemory g, long seed, int ops) {
        Workload w = new Workload(g);
        w.prepare(seed, 8, 512);
        w.step(ops);
        return w;
    }

    /** Isolates up to n random LRU pages onto a new migration list. */
    private static MigrationList isolateRandom(GuestMemory g, Random rnd, int n) {
        MigrationList list = new MigrationList(g);
        for (int tries = 0; tries < n * 8 && list.pages().size() < n; tries++) {
            int pfn = rnd.nextInt(g.nrPages());
            if (g.map.testFlag(pfn, PageFlags.PG_lru) && g.migrate.isolateLruPage(pfn)) {
                list.add(pfn);
            }
        }
        return list;
    }

    @Test
    void aMigratedUserPageKeepsItsContentItsPteFollowsAndTheOldPageIsFreed() {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = stepped(g, 3, 5_000);
        Mapped m = mapped(w).get(0);
        long content = g.content.read(m.pfn());
        long inactive = g.vmstat.get(VmItem.NR_INACTIVE_ANON);

        assertThat(g.migrate.isolateLruPage(m.pfn())).isTrue();
        assertThat(g.testPageFlag(m.pfn(), PageFlags.PG_lru)).isFalse();
        assertThat(g.vmstat.get(VmItem.NR_ISOLATED_ANON)).isEqualTo(1);
        assertThat(g.vmstat.get(VmItem.NR_INACTIVE_ANON)).isEqualTo(inactive - 1);
        assertOk(g, w); // mapped but off the LRU: in flight, not lost
        MigrationList list = new MigrationList(g, m.pfn());

        assertThat(list.migrate(MigrateMode.SYNC)).isZero();

        int dst = list.lastTarget();
        assertThat(m.p().pte(m.vpage())).isEqualTo(dst);
        assertThat(g.content.read(dst)).isEqualTo(content);
        assertThat(g.map.mapping[dst]).isEqualTo((m.p().anonHandle << 2) | MemMap.PAGE_MAPPING_ANON);
        assertThat(g.map.index[dst]).isEqualTo(m.vpage());
        assertThat(g.map.mapcount(dst)).isEqualTo(1);
        assertThat(g.testPageFlag(dst, PageFlags.PG_lru)).isTrue();
        assertThat(g.testPageFlag(dst, PageFlags.PG_swapbacked)).isTrue();
        assertThat(g.testPageFlag(dst, PageFlags.PG_uptodate)).isTrue();
        assertThat(g.testPageFlag(dst, PageFlags.PG_locked)).isFalse();
        assertThat(g.pageCount(dst)).isEqualTo(1);
        assertThat(g.pageCount(m.pfn())).isZero();
        assertThat(g.vmstat.get(VmItem.NR_ISOLATED_ANON)).isZero();
        assertThat(g.vmstat.get(VmItem.NR_INACTIVE_ANON)).isEqualTo(inactive);
        assertThat(g.vmstat.get(VmItem.PGMIGRATE_SUCCESS)).isEqualTo(1);
        assertOk(g, w);
        // and the process goes on with it
        w.step(5_000);
        assertThat(w.dataLoss()).isZero();
        assertOk(g, w);
    }

    @Test
    void putbackReturnsAnIsolatedUserPageToTheLru() {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = stepped(g, 4, 3_000);
        Mapped m = mapped(w).get(1);
        assertThat(g.migrate.isolateLruPage(m.pfn())).isTrue();
        assertThat(g.migrate.isolateLruPage(m.pfn())).as("not twice").isFalse();

        new MigrationList(g, m.pfn()).putback();

        assertThat(g.testPageFlag(m.pfn(), PageFlags.PG_lru)).isTrue();
        assertThat(g.pageCount(m.pfn())).isEqualTo(1);
        assertThat(m.p().pte(m.vpage())).isEqualTo(m.pfn());
        assertThat(g.vmstat.get(VmItem.NR_ISOLATED_ANON)).isZero();
        assertOk(g, w);
    }

    @Test
    void aPageThatIsNotOnTheLruOrAlreadyFreeIsNotIsolated() {
        GuestMemory g = PageAllocInvariantTest.guest();
        int kernel = g.allocPages(org.mmlab.mm.Gfp.GFP_KERNEL, 0);
        int free = g.allocPages(org.mmlab.mm.Gfp.GFP_KERNEL, 0);
        g.freePages(free, 0);

        assertThat(g.migrate.isolateLruPage(kernel)).isFalse();
        assertThat(g.migrate.isolateLruPage(free)).isFalse();

        assertThat(g.pageCount(kernel)).isEqualTo(1);
        assertThat(g.pageCount(free)).isZero();
        assertOk(g, null);
    }

    @Test
    void aUserPageItsProcessFreedWhileIsolatedCountsAsMigratedAndIsFreed() {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = stepped(g, 5, 3_000);
        Mapped m = mapped(w).get(0);
        assertThat(g.migrate.isolateLruPage(m.pfn())).isTrue();
        m.p().exitMmap(); // the process exits: its PTE and its reference go, ours stays
        assertThat(g.pageCount(m.pfn())).isEqualTo(1);
        MigrationList list = new MigrationList(g, m.pfn());

        assertThat(list.migrate(MigrateMode.ASYNC)).isZero();

        assertThat(list.succeeded).isEqualTo(1);
        assertThat(list.targets).as("page was freed from under us: no target needed").isEmpty();
        assertThat(g.pageCount(m.pfn())).isZero();
        assertThat(g.vmstat.get(VmItem.NR_ISOLATED_ANON)).isZero();
        assertOk(g, w);
    }

    @Test
    void aUserPageSomebodyElseHoldsAReferenceToIsRetriedAndLeftForPutbackWithItsPteRestored() {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = stepped(g, 6, 3_000);
        Mapped m = mapped(w).get(0);
        long content = g.content.read(m.pfn());
        assertThat(g.migrate.isolateLruPage(m.pfn())).isTrue();
        g.getPage(m.pfn()); // e.g. a racing scanner's speculative reference
        MigrationList list = new MigrationList(g, m.pfn());

        assertThat(list.migrate(MigrateMode.SYNC)).isEqualTo(1);

        assertThat(list.pages()).containsExactly(m.pfn());
        assertThat(m.p().pte(m.vpage())).isEqualTo(m.pfn());
        assertThat(g.map.mapcount(m.pfn())).isEqualTo(1);
        assertThat(g.content.read(m.pfn())).isEqualTo(content);
        assertThat(g.vmstat.get(VmItem.PGMIGRATE_FAIL)).isEqualTo(1);
        assertOk(g, w);
        g.putPage(m.pfn());
        list.putback();
        assertOk(g, w);
    }

    @Test
    void mmCheckFailsWhenAnIsolatedPageIsFreedUnderMigration() {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = stepped(g, 8, 2_000);
        Mapped m = mapped(w).get(0);
        assertThat(g.migrate.isolateLruPage(m.pfn())).isTrue();
        m.p().exitMmap();
        g.putPage(m.pfn()); // a put_page() too many: the isolation reference is gone

        CheckResult r = MmCheck.run(g, w);

        assertThat(r.ok()).isFalse();
        assertThat(r.text()).contains("isolated page state: pfn");
    }

    @Test
    void thousandsOfMigrationsBetweenWorkloadStepsLoseNoData() {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = stepped(g, 9, 20_000);
        Random rnd = new Random(9);
        long migrated = 0;
        for (int round = 0; round < 200; round++) {
            MigrationList list = isolateRandom(g, rnd, 32);
            int failed = list.migrate(round % 3 == 0 ? MigrateMode.ASYNC : MigrateMode.SYNC);
            migrated += list.succeeded;
            assertThat(failed).isGreaterThanOrEqualTo(0);
            list.putback();
            list.close();
            w.step(200);
            if (round % 50 == 0) {
                assertOk(g, w);
            }
        }
        assertThat(migrated).isGreaterThan(5_000);
        assertThat(g.vmstat.get(VmItem.PGMIGRATE_SUCCESS)).isEqualTo(migrated);
        assertThat(w.dataLoss()).isZero();
        assertOk(g, w);
        w.stop();
        assertOk(g, w);
        g.drainAllPages(); // the per-cpu lists hold the last frees: drain_all_pages() gives them to the buddy allocator
        assertThat(g.freePages()).isEqualTo(g.managedPages());
    }

    @Test
    void migrationConcurrentWithTheWorkloadOnTwoThreadsConservesPagesAndContent() throws Exception {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = new Workload(g);
        w.start(11, 8, 512, 2);
        AtomicLong migrated = new AtomicLong();
        AtomicInteger checks = new AtomicInteger();
        AtomicReference<Throwable> died = new AtomicReference<>();
        Thread migrator = new Thread(() -> {
            try {
                Random rnd = new Random(11);
                // 400 rounds, and on until the main thread has checked the guest 3 times while they ran
                for (int round = 0; round < 400 || checks.get() < 3; round++) {
                    MigrationList list = isolateRandom(g, rnd, 16);
                    list.migrate(round % 2 == 0 ? MigrateMode.ASYNC : MigrateMode.SYNC_LIGHT);
                    migrated.addAndGet(list.succeeded);
                    list.putback();
                    list.close();
                }
            } catch (Throwable t) {
                died.set(t);
            }
        }, "kcompactd0");
        migrator.setDaemon(true); // if a check fails, the test ends without it
        migrator.start();
        while (migrator.isAlive()) {
            assertOk(g, w); // the machine stopped between the migrator's and the workers' steps
            checks.incrementAndGet();
            migrator.join(5); // a pause between checks, so that the migrator gets the machine too
        }
        assertThat(died.get()).isNull();
        assertOk(g, w);
        long ops = w.opsDone();
        w.stop();

        assertThat(migrated.get()).isGreaterThan(1_000);
        assertThat(ops).isPositive();
        assertThat(w.dataLoss()).isZero();
        assertThat(w.status()).doesNotContain("died");
        assertThat(g.debug.reports()).as(String.join("\n", g.dmesg.lines())).isZero();
        assertOk(g, w);
        g.drainAllPages(); // the per-cpu lists hold the last frees: drain_all_pages() gives them to the buddy allocator
        assertThat(g.freePages()).isEqualTo(g.managedPages());
        assertThat(g.vmstat.get(VmItem.NR_ISOLATED_ANON)).isZero();
    }
}
