package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;
import static org.mmlab.mm.internal.PageAllocInvariantTest.freeArea;
import static org.mmlab.mm.internal.PageAllocInvariantTest.guest;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.admin.CheckResult;

/** The debug checkers fire on deliberately broken state, and mm:check sees what they leave behind. */
class MmDebugCheckersTest {
    private static boolean dmesgHas(GuestMemory g, String text) {
        return g.dmesg.lines().stream().anyMatch(l -> l.contains(text));
    }

    @Test
    void freeingAPageWithAMappingIsABadPageTakenOutOfCirculationAndStillAccounted() {
        GuestMemory g = guest();
        long free0 = g.freePages();
        int pfn = g.allocPages(Gfp.GFP_KERNEL, 0);
        g.map.mapping[pfn] = 5 << 2; // an address_space the owner forgot to clear
        g.freePages(pfn, 0);
        assertThat(dmesgHas(g, String.format("BUG: Bad page state in process %s  pfn:%05x",
                MmDebug.comm(), pfn))).isTrue();
        assertThat(dmesgHas(g, "page dumped because: non-NULL mapping")).isTrue();
        assertThat(g.alloc.freeChecks.isBadPage(pfn)).isTrue();
        assertThat(g.freePages()).isEqualTo(free0 - 1);
        CheckResult r = MmCheck.run(g, null);
        assertThat(r.verdict()).as(r.text()).isEqualTo("mm:check: OK");
        assertThat(r.text()).contains("+ 1 bad =");
    }

    @Test
    void putPageOnAFreePageIsAVmBugWithDebugVmAndChangesNothing() {
        GuestMemory g = guest();
        int pfn = g.allocPages(Gfp.GFP_KERNEL, 0);
        g.freePages(pfn, 0);
        long[] area = freeArea(g);
        assertThatThrownBy(() -> g.putPage(pfn)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("VM_BUG_ON_PAGE(page_ref_count(page) == 0)");
        assertThat(dmesgHas(g, "VM_BUG_ON_PAGE(page_ref_count(page) == 0)")).isTrue();
        assertThat(dmesgHas(g, "kernel BUG at include/linux/mm.h")).isTrue();
        assertThat(g.map.refcount(pfn)).isZero();
        assertThat(freeArea(g)).containsExactly(area);
        assertOk(g, null);
    }

    @Test
    void putPageOnAFreePageWithoutDebugVmUnderflowsTheRefcountAndMmCheckNamesIt() {
        GuestMemory g = guest();
        g.debug.setDebugVm(false);
        int pfn = g.allocPages(Gfp.GFP_KERNEL, 0);
        g.freePages(pfn, 0);
        g.putPage(pfn);
        assertThat(g.map.refcount(pfn)).isEqualTo(-1);
        CheckResult r = MmCheck.run(g, null);
        assertThat(r.ok()).isFalse();
        assertThat(r.verdict()).isEqualTo("mm:check: FAIL refcount underflow: 1");
        assertThat(r.text()).contains(String.format("pfn %#x (free,", pfn));
    }

    @Test
    void putPageOnANonCompoundHighOrderAllocationLeaksItsTailsAndMmCheckFindsThem() {
        GuestMemory g = guest();
        int pfn = g.allocPages(Gfp.GFP_KERNEL, 2); // no __GFP_COMP: only the first page has a refcount
        assertOk(g, null);
        g.putPage(pfn); // the classic bug: put_page() frees order 0, the three tails are nobody's
        CheckResult r = MmCheck.run(g, null);
        assertThat(r.verdict()).as(r.text()).startsWith("mm:check: FAIL page neither free nor allocated: 3");
        assertThat(r.text()).contains("free + allocated + bad == pages: ");
        assertThat(r.text()).contains(String.format("pfn %#x: refcount 0, not free, not a tail, not bad: leaked",
                pfn + 1));
    }

    /** The first block on Normal's order-10 Movable list: where the next order-10 movable allocation comes from. */
    private static int firstMaxOrderMovableBlock(GuestMemory g, Zone z) {
        int head = z.freeList[Mm.MAX_PAGE_ORDER][MigrateType.MOVABLE.ordinal()];
        int pfn = g.lists.first(head);
        assertThat(pfn).isBetween(z.startPfn, z.endPfn - 1);
        return pfn;
    }

    @Test
    void aPoisonedFreeListLinkIsReportedByDebugListAndTheAllocationCorruptsNothingMore() {
        GuestMemory g = guest();
        Zone normal = g.zones[g.zones.length - 1];
        int victim = firstMaxOrderMovableBlock(g, normal);
        int saved = g.map.next[victim];
        long[] area = freeArea(g);
        long free = g.freePages();
        g.map.next[victim] = PageLists.LIST_POISON1;

        assertThatThrownBy(() -> g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, Mm.MAX_PAGE_ORDER))
                .isInstanceOf(KernelBug.class);
        assertThat(dmesgHas(g, "list_del corruption, ")).isTrue();
        assertThat(dmesgHas(g, "->next is LIST_POISON1 (dead000000000100)")).isTrue();
        // nothing was taken off any list, nothing counted
        assertThat(freeArea(g)).containsExactly(area);
        assertThat(g.freePages()).isEqualTo(free);
        CheckResult r = MmCheck.run(g, null);
        assertThat(r.verdict()).as(r.text()).startsWith("mm:check: FAIL free list links: 1");
        assertThat(r.text()).contains(String.format("pfn %#x->next is LIST_POISON1", victim));

        // mend the one link: everything else is as it was
        g.map.next[victim] = saved;
        assertOk(g, null);
    }

    @Test
    void aPoisonedFreeListLinkWithoutDebugListIsAGeneralProtectionFault() {
        GuestMemory g = guest();
        g.debug.setDebugList(false);
        Zone normal = g.zones[g.zones.length - 1];
        int victim = firstMaxOrderMovableBlock(g, normal);
        int saved = g.map.next[victim];
        long[] area = freeArea(g);
        g.map.next[victim] = PageLists.LIST_POISON1;

        assertThatThrownBy(() -> g.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, Mm.MAX_PAGE_ORDER))
                .isInstanceOf(KernelBug.class)
                .hasMessageContaining("general protection fault, probably for non-canonical address 0xdead000000000100");
        assertThat(dmesgHas(g, "Oops: general protection fault")).isTrue();
        assertThat(dmesgHas(g, "list_del corruption")).isFalse();
        assertThat(freeArea(g)).containsExactly(area);
        g.map.next[victim] = saved;
        assertOk(g, null);
    }

    @Test
    void unlockingAnUnlockedPageIsAVmBug() {
        GuestMemory g = guest();
        int pfn = g.allocPages(Gfp.GFP_KERNEL, 0);
        assertThatThrownBy(() -> g.unlockPage(pfn)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("VM_BUG_ON_PAGE(!folio_test_locked(folio))");
        assertThat(dmesgHas(g, "VM_BUG_ON_PAGE(!folio_test_locked(folio))")).isTrue();
        assertThat(g.testPageFlag(pfn, PageFlags.PG_locked)).isFalse();
    }

    @Test
    void lockPageWaitsUntilTheHolderUnlocks() throws Exception {
        GuestMemory g = guest();
        int pfn = g.allocPages(Gfp.GFP_KERNEL, 0);
        assertThat(g.trylockPage(pfn)).isTrue();
        AtomicBoolean acquired = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            g.lockPage(pfn);
            acquired.set(true);
            done.countDown();
        }, "lock-waiter");
        waiter.start();
        // the waiter announces itself with PG_waiters before it sleeps
        while (!g.testPageFlag(pfn, PageFlags.PG_waiters)) {
            assertThat(waiter.isAlive()).isTrue();
            Thread.onSpinWait();
        }
        assertThat(acquired).isFalse();
        assertThat(g.trylockPage(pfn)).isFalse();
        g.unlockPage(pfn);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        waiter.join();
        assertThat(acquired).isTrue();
        assertThat(g.testPageFlag(pfn, PageFlags.PG_locked)).isTrue(); // now the waiter's
        g.unlockPage(pfn);
        assertThat(g.testPageFlag(pfn, PageFlags.PG_locked)).isFalse();
        g.freePages(pfn, 0);
        assertOk(g, null);
    }
}
