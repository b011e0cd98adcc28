package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * migrate_pages() frees the source pages in batches (up to {@link Migrate#FREE_BATCH} pages at a time, as
 * free_unref_folios() does, onto this CPU's per-cpu list, which gives them to the buddy allocator when it
 * reaches pcp->high): every freed page is free when migrate_pages() returns, pgfree counts each once, and a
 * task that sleeps on a page lock in the middle of it has handed its batch over first, so a stopped machine
 * never sees a page in flight.
 */
class MigrateFreeBatchTest {
    /** The PFNs the workload's processes map now. */
    private static List<Integer> mappedPfns(Workload w) {
        return LruMigrationTest.mapped(w).stream().map(LruMigrationTest.Mapped::pfn).toList();
    }

    private static Workload stepped(GuestMemory g, long seed, int ops) {
        Workload w = new Workload(g);
        w.prepare(seed, 8, 512);
        w.step(ops);
        return w;
    }

    /** A free page is on a per-cpu list, or in the buddy allocator: the head of a free block, or inside one. */
    private static boolean free(GuestMemory g, int pfn) {
        if (g.alloc.pcp.describePcpBlock(g.alloc.zoneOf(pfn), pfn) != null) {
            return true;
        }
        for (int order = 0; order <= org.mmlab.mm.Mm.MAX_PAGE_ORDER; order++) {
            int head = pfn & ~((1 << order) - 1);
            if (g.map.hasType(head, PageType.BUDDY) && g.map.pagePrivate[head] >= order) {
                return true;
            }
        }
        return false;
    }

    @Test
    void moreSourcePagesThanOneBatchAreAllFreeAndCountedOnce() {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = stepped(g, 21, 20_000);
        MigrationList list = new MigrationList(g);
        List<Integer> sources = new ArrayList<>();
        for (int pfn : mappedPfns(w)) {
            if (sources.size() == 3 * Migrate.FREE_BATCH + 5) {
                break;
            }
            if (g.migrate.isolateLruPage(pfn)) {
                list.add(pfn);
                sources.add(pfn);
            }
        }
        assertThat(sources).hasSize(3 * Migrate.FREE_BATCH + 5);
        long pgfree = g.vmstat.get(VmItem.PGFREE);

        assertThat(list.migrate(MigrateMode.SYNC)).isZero();

        assertThat(list.succeeded).isEqualTo(sources.size());
        assertThat(g.vmstat.get(VmItem.PGFREE) - pgfree).isEqualTo(sources.size());
        for (int pfn : sources) {
            if (list.targets.contains(pfn)) {
                continue; // freed with an earlier batch and allocated again as a later page's target
            }
            assertThat(g.pageCount(pfn)).isZero();
            assertThat(free(g, pfn)).as("pfn %#x on a per-cpu list or in the buddy allocator", pfn).isTrue();
        }
        assertThat(g.debug.reports()).as(String.join("\n", g.dmesg.lines())).isZero();
        assertOk(g, w);
        list.close();
        w.step(2_000);
        assertThat(w.dataLoss()).isZero();
        assertOk(g, w);
    }

    @Test
    void aMigratorThatSleepsOnAPageLockHasFreedItsBatchFirst() throws Exception {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = stepped(g, 22, 20_000);
        MigrationList list = new MigrationList(g);
        int locked = -1;
        int n = 0;
        for (int pfn : mappedPfns(w)) {
            if (n == 20) {
                break;
            }
            if (g.migrate.isolateLruPage(pfn)) {
                list.add(pfn); // list_add(): the last one isolated is tried first
                if (n == 0) {
                    locked = pfn; // so this one, tried last, after 19 sources were freed
                }
                n++;
            }
        }
        assertThat(g.trylockPage(locked)).isTrue(); // somebody else holds its page lock
        int lockedPfn = locked;
        AtomicInteger rc = new AtomicInteger(Integer.MIN_VALUE);
        AtomicReference<Throwable> died = new AtomicReference<>();
        Thread migrator = new Thread(() -> {
            try {
                rc.set(list.migrate(MigrateMode.SYNC));
            } catch (Throwable t) {
                died.set(t);
            }
        }, "kcompactd0");
        migrator.start();
        // from the fourth pass on, SYNC waits for the lock: PG_waiters says it sleeps on it
        while (!g.testPageFlag(lockedPfn, PageFlags.PG_waiters) && migrator.isAlive()) {
            Thread.sleep(1);
        }
        assertThat(migrator.isAlive()).isTrue();

        assertOk(g, w); // the machine stopped while the migrator sleeps: nothing in flight but the isolated page

        g.unlockPage(lockedPfn);
        migrator.join(10_000);
        assertThat(died.get()).isNull();
        assertThat(rc.get()).isZero();
        assertThat(list.succeeded).isEqualTo(20);
        assertThat(g.debug.reports()).as(String.join("\n", g.dmesg.lines())).isZero();
        assertOk(g, w);
        list.close();
    }
}
