package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageType;
import org.mmlab.mm.admin.CheckResult;

/**
 * The per-cpu pagesets (PageAllocPcp, mm/page_alloc.c v6.18): an empty list is refilled with pcp->batch
 * pages under one zone->lock hold, a free list that reaches pcp->high goes back to the buddy allocator,
 * drain_all_pages() empties every CPU's, and their pages are free exactly once: not PageBuddy, not in
 * NR_FREE_PAGES, counted by mm:check, which fails on a page that is on a per-cpu list and anywhere else.
 */
class PageAllocPcpTest {
    private static final int MOVABLE = Gfp.GFP_HIGHUSER_MOVABLE;

    /** 1 GiB, a 512 MiB Normal zone (pcp->batch 31), with this many CPUs' pagesets. */
    static GuestMemory guest(int nrCpuIds) {
        return new GuestMemory(MmConfig.parse("1G", "512M", "tag", true, true).withNrCpuIds(nrCpuIds));
    }

    private static Zone normal(GuestMemory g) {
        return g.zones[g.zones.length - 1];
    }

    private static PerCpuPages pcp0(GuestMemory g) {
        return normal(g).perCpuPageset[0];
    }

    @Test
    void anEmptyListIsRefilledWithOneBatchAndTheNextPagesComeFromItInPfnOrder() {
        GuestMemory g = guest(1);
        PerCpuPages pcp = pcp0(g);
        long freeBefore = normal(g).freePages;
        assertThat(pcp.batch).isEqualTo(31);

        int first = g.allocPages(MOVABLE, 0);
        assertThat(pcp.count).isEqualTo(pcp.batch - 1);
        assertThat(normal(g).freePages).isEqualTo(freeBefore - pcp.batch);
        int second = g.allocPages(MOVABLE, 0);
        assertThat(second).isEqualTo(first + 1); // rmqueue_bulk() adds at the tail, in the order expand() split them
        assertThat(normal(g).freePages).as("no zone->lock pass for the second page").isEqualTo(freeBefore - pcp.batch);
        assertThat(g.map.hasType(first + 2, PageType.BUDDY)).as("a pcp page is not PageBuddy").isFalse();
        assertOk(g, null);
    }

    @Test
    void aFreedPageIsTheNextOneAllocatedAndOnlyReachingHighGivesPagesBackToTheBuddyAllocator() {
        GuestMemory g = guest(1);
        PerCpuPages pcp = pcp0(g);
        List<Integer> held = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) { // more than pcp->high_max (managed / 8) can hold
            held.add(g.allocPages(MOVABLE, 0));
        }
        int hot = held.remove(held.size() - 1);
        g.freePages(hot, 0);
        assertThat(g.allocPages(MOVABLE, 0)).as("list_add() at the head: the hot page comes back").isEqualTo(hot);
        g.freePages(hot, 0);

        long pgfree = g.vmstat.get(VmItem.PGFREE);
        int maxCount = 0;
        boolean drained = false;
        for (int pfn : held) {
            int before = pcp.count;
            g.freePages(pfn, 0);
            maxCount = Math.max(maxCount, pcp.count);
            drained |= pcp.count < before;
        }
        assertThat(drained).as("free_pcppages_bulk() ran").isTrue();
        assertThat(maxCount).isLessThanOrEqualTo(pcp.highMax);
        assertThat(pcp.count).isGreaterThanOrEqualTo(pcp.batch); // nr_pcp_free() leaves at least batch
        assertThat(g.vmstat.get(VmItem.PGFREE) - pgfree).as("pgfree counts each free once").isEqualTo(held.size());
        assertOk(g, null);
    }

    @Test
    void drainAllPagesEmptiesEveryCpusListsAndTheZoneIsWholeAgain() throws Exception {
        GuestMemory g = guest(2);
        long[] freeAtBoot = {g.zones[0].freePages, normal(g).freePages};
        // two threads whose names put them on different CPUs, each allocating and freeing on its own
        String[] names = namesOnCpus(g.alloc.pcp);
        for (String name : names) {
            Thread t = new Thread(() -> {
                List<Integer> held = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    held.add(g.allocPages(MOVABLE, i % 3 == 0 ? 1 : 0));
                }
                for (int i = 0; i < held.size(); i++) {
                    g.freePages(held.get(i), i % 3 == 0 ? 1 : 0);
                }
            }, name);
            t.start();
            t.join();
        }
        for (PerCpuPages pcp : normal(g).perCpuPageset) {
            assertThat(pcp.count).as("cpu %d", pcp.cpu).isPositive();
        }
        assertOk(g, null);

        g.alloc.pcp.drainAllPages(null);

        for (Zone z : g.zones) {
            assertThat(PageAllocPcp.pcpCount(z)).isZero();
        }
        assertThat(new long[] {g.zones[0].freePages, normal(g).freePages}).isEqualTo(freeAtBoot);
        assertOk(g, null);
    }

    /** Thread names that smp_processor_id() maps to CPU 0 and CPU 1. */
    private static String[] namesOnCpus(PageAllocPcp pcp) throws Exception {
        String[] names = new String[pcp.nrCpuIds];
        for (int i = 0; names[0] == null || names[1] == null; i++) {
            String name = "task-" + i;
            int cpu = CompletableFuture.supplyAsync(() -> {
                Thread.currentThread().setName(name);
                return Math.floorMod(name.hashCode(), pcp.nrCpuIds);
            }).get();
            names[cpu] = name;
        }
        return names;
    }

    @Test
    void pagesOnPerCpuListsAreFreeButNotInNrFreePagesAndMmCheckCountsThemOnce() {
        GuestMemory g = guest(1);
        int pfn = g.allocPages(MOVABLE, 0);
        long count = pcp0(g).count;
        CheckResult r = MmCheck.run(g, null);
        assertThat(r.verdict()).isEqualTo("mm:check: OK");
        assertThat(r.text()).contains("per-cpu lists: " + count + " pages free on them");
        long buddyPages = 0;
        for (Zone z : g.zones) {
            for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
                buddyPages += z.nrFree(o) << o;
            }
        }
        assertThat(g.freePages()).isEqualTo(buddyPages);
        assertThat(r.text()).contains("pages: " + (buddyPages + count) + " free + ");
        g.freePages(pfn, 0);
        assertOk(g, null);
    }

    @Test
    void aPageOnAPerCpuListShowsNoFlagsInKpageflagsAsTheKernelsStablePageFlagsGivesIt() {
        GuestMemory g = guest(1);
        int first = g.allocPages(MOVABLE, 0);
        assertThat(Kpageflags.flagsOf(g, first + 1)).as("on the pcp list: free, but not a buddy page").isZero();
        assertThat(Kpageflags.flagsOf(g, first + pcp0(g).batch)).as("still in the buddy allocator")
                .isEqualTo(1L << Kpageflags.KPF_BUDDY);
    }

    @Test
    void mmCheckFailsOnAPageThatIsOnAPerCpuListAndInsideABuddyBlock() {
        GuestMemory g = guest(1);
        int first = g.allocPages(MOVABLE, 0); // the pcp list now holds first + 1 .. first + batch - 1
        Zone z = normal(g);
        PerCpuPages pcp = pcp0(g);
        // an odd page and its buddy below, both on the pcp list: take the buddy off, put a free block over both
        int onPcp = (first + 2) | 1;
        int head = onPcp - 1;
        assertThat(g.lists.del(head)).isTrue();
        pcp.count--;
        z.lock.lock();
        try {
            g.alloc.addToFreeList(head, z, 1, MigrateType.MOVABLE.ordinal(), false);
            PageAlloc.accountFreepages(z, 2, MigrateType.MOVABLE.ordinal());
        } finally {
            z.lock.unlock();
        }

        CheckResult r = MmCheck.run(g, null);

        assertThat(r.ok()).isFalse();
        assertThat(r.text()).contains(String.format("page on a per-cpu list: Normal cpu 0 order 0 Movable: pfn %#x is on a"
                + " per-cpu list and in a free block on a free list", onPcp));
        assertThat(r.text()).contains("free + allocated + bad == pages");
    }

    @Test
    void mmCheckFailsWhenPcpCountDisagreesWithItsLists() {
        GuestMemory g = guest(1);
        g.allocPages(MOVABLE, 0);
        pcp0(g).count++;

        CheckResult r = MmCheck.run(g, null);

        assertThat(r.verdict()).startsWith("mm:check: FAIL pcp->count: 1");
    }

    @Test
    void aTaskThatFindsADrainHoldingPcpLockUsesTheBuddyAllocatorInsteadOfWaiting() throws Exception {
        GuestMemory g = guest(1);
        int pfn = g.allocPages(MOVABLE, 0);
        PerCpuPages pcp = pcp0(g);
        int count = pcp.count;
        long freeBefore = normal(g).freePages;
        pcp.drainLock(); // as drain_pages_zone() from another CPU holds it
        try {
            int other = CompletableFuture.supplyAsync(() -> {
                g.freePages(pfn, 0);
                return g.allocPages(MOVABLE, 0);
            }).get();
            assertThat(pcp.count).as("the pcp lists were not touched").isEqualTo(count);
            assertThat(normal(g).freePages).as("one page went to and one came from the buddy allocator")
                    .isEqualTo(freeBefore);
            assertThat(other).isNotEqualTo(Mm.NO_PAGE);
        } finally {
            pcp.drainUnlock();
        }
        assertOk(g, null);
    }

    @Test
    void twoTasksOfOneCpuTakeTurnsAtItsListsAsWithPreemptionOff() throws Exception {
        GuestMemory g = guest(1);
        int pfn = g.allocPages(MOVABLE, 0);
        PerCpuPages pcp = pcp0(g);
        long freeBefore = normal(g).freePages;
        assertThat(pcp.spinTrylock()).isTrue(); // this task is inside its pcp section
        Thread other;
        try {
            other = new Thread(() -> g.freePages(pfn, 0), "other-task");
            other.start();
            while (other.getState() != Thread.State.WAITING && other.isAlive()) {
                Thread.onSpinWait(); // until it waits for pcp->lock
            }
            assertThat(other.isAlive()).as("it waits for this task's section to end").isTrue();
        } finally {
            pcp.spinUnlock();
        }
        other.join();
        assertThat(g.lists.first(pcp.lists[PerCpuPages.orderToPindex(MigrateType.MOVABLE.ordinal(), 0)]))
                .as("then its page went to the list's head").isEqualTo(pfn);
        assertThat(normal(g).freePages).isEqualTo(freeBefore);
        assertOk(g, null);
    }

    @Test
    void zonePcpDisableDrainsAndSendsEveryFreeToTheBuddyAllocatorUntilEnabled() {
        GuestMemory g = guest(1);
        Zone z = normal(g);
        int pfn = g.allocPages(MOVABLE, 0);
        g.alloc.pcp.zonePcpDisable(z);
        try {
            assertThat(PageAllocPcp.pcpCount(z)).isZero();
            g.freePages(pfn, 0);
            assertThat(PageAllocPcp.pcpCount(z)).isZero();
            int again = g.allocPages(MOVABLE, 0);
            assertThat(PageAllocPcp.pcpCount(z)).as("batch 1: one page at a time").isZero();
            g.freePages(again, 0);
        } finally {
            g.alloc.pcp.zonePcpEnable(z);
        }
        assertThat(pcp0(g).batch).isEqualTo(31);
        assertOk(g, null);
    }

    /** Every page of a 64 MiB guest (one DMA32 zone, pcp->batch 3), allocated until the allocator fails. */
    private static List<Integer> exhaust(MmCore core) {
        List<Integer> held = new ArrayList<>();
        for (int pfn; (pfn = core.allocPages(MOVABLE | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN, 0)) != Mm.NO_PAGE; ) {
            held.add(pfn);
        }
        return held;
    }

    private static long pcpPages(GuestMemory g) {
        long n = 0;
        for (Zone z : g.zones) {
            n += PageAllocPcp.pcpCount(z);
        }
        return n;
    }

    @Test
    void pagesAShrinkerFreesOntoAPerCpuListReachTheAllocationThroughDirectReclaimsDrain() {
        MmCore core = HostFramesTest.boot();
        ShrinkersTest.PageCache cache = new ShrinkersTest.PageCache(core);
        for (int pfn : exhaust(core)) {
            cache.pages.push(pfn);
        }
        core.registerShrinker("test-cache", cache);

        // an unmovable request: reclaim frees movable pages onto the pcp list, not into NR_FREE_PAGES;
        // drain_all_pages() gives them to the buddy allocator, and the allocation falls back to them
        int pfn = core.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN, 0);

        assertThat(pfn).isNotEqualTo(Mm.NO_PAGE);
        assertThat(cache.scans).isPositive();
        assertThat(pcpPages(core.guest())).as("drained, then one page of a batch of 1 taken").isZero();
        assertOk(core.guest(), null);
    }

    @Test
    void withoutReclaimProgressPagesOnAPerCpuListDoNotKeepAnAllocationFromFailing() {
        MmCore core = HostFramesTest.boot();
        List<Integer> held = exhaust(core);
        long leftOnLists = pcpPages(core.guest()); // the refills' pages the watermark check kept from being used
        for (int i = 0; i < 4; i++) {
            core.freePages(held.remove(held.size() - 1), 0);
        }
        assertThat(pcpPages(core.guest())).isEqualTo(leftOnLists + 4);

        // the kernel drains in direct reclaim only after reclaim made progress: none here, so no drain
        int pfn = core.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN, 0);

        assertThat(pfn).isEqualTo(Mm.NO_PAGE);
        assertThat(pcpPages(core.guest())).isEqualTo(leftOnLists + 4);
        assertOk(core.guest(), null);
    }

    @Test
    void percpuPagelistHighFractionFixesHighAndRefusesSmallFractions() {
        GuestMemory g = guest(1);
        PageAllocPcp pcp = g.alloc.pcp;
        pcp.setPercpuPagelistHighFraction(100);
        assertThat(pcp0(g).highMin).isEqualTo(pcp0(g).highMax).isEqualTo((int) (normal(g).managedPages / 100));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pcp.setPercpuPagelistHighFraction(7))
                .hasMessage("vm.percpu_pagelist_high_fraction is 0 or at least 8, not 7");
        assertThat(pcp.percpuPagelistHighFraction()).isEqualTo(100);
    }

    @Test
    void switchedOffTheListsHandOutThePfnsAGuestWithoutThemWouldAndSwitchedOnTheyAreBack() {
        GuestMemory with = guest(1);
        GuestMemory without = guest(0);
        with.setPcpEnabled(false);
        List<Integer> a = new ArrayList<>();
        List<Integer> b = new ArrayList<>();
        for (GuestMemory g : List.of(with, without)) {
            List<Integer> out = g == with ? a : b;
            for (int i = 0; i < 40; i++) {
                out.add(g.allocPages(MOVABLE, i % 5 == 0 ? 2 : 0));
            }
            for (int i = 0; i < 40; i += 3) {
                g.freePages(out.get(i), i % 5 == 0 ? 2 : 0);
            }
            for (int i = 0; i < 10; i++) {
                out.add(g.allocPages(MOVABLE, 0));
            }
        }
        assertThat(a).isEqualTo(b);
        assertThat(PageAllocPcp.pcpCount(normal(with))).isZero();
        assertThat(with.pcpEnabled()).isFalse();

        with.setPcpEnabled(true);
        assertThat(pcp0(with).batch).isEqualTo(31);
        with.allocPages(MOVABLE, 0);
        assertThat(PageAllocPcp.pcpCount(normal(with))).isEqualTo(30);
        assertOk(with, null);
    }

    @Test
    void withoutPagesetsEveryPageGoesByTheBuddyAllocator() {
        GuestMemory g = guest(0);
        long freeBefore = normal(g).freePages;
        g.allocPages(MOVABLE, 0);
        assertThat(normal(g).freePages).isEqualTo(freeBefore - 1);
        assertOk(g, null);
    }
}
