package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntConsumer;

import org.mmlab.mm.CheckContributor;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;
import org.mmlab.mm.admin.CheckResult;

/**
 * mm:check: what CONFIG_DEBUG_VM's page checks, DEBUG_LIST and page accounting would find if the
 * kernel could stop and look at all memory at once (no one kernel file: the invariants are those
 * of mm/page_alloc.c's free lists, mm/swap.c's LRU, mm/vmstat.c's counters and the workload's
 * page tables). Runs under stop_machine, in single passes over the memmap arrays with bitmaps.
 *
 * <p>Every PFN must be exactly one of: in one free block on the right list; allocated
 * (refcount &gt; 0, boot-reserved pages included); a tail of an allocated compound page; a tail of
 * a live non-compound high-order allocation (page_owner); taken out by bad_page(); or a free page
 * a compactor isolated from the buddy allocator onto a list it registered with
 * {@link Migrate#trackIsolatedFreeList}; or a free page a hinting design has off the free lists (a batch
 * or a report in flight, {@link HintingCore}); or a free page on a CPU's per-cpu list ({@link PerCpuPages}:
 * free, but neither PageBuddy nor in nr_free and NR_FREE_PAGES, as in the kernel).
 *
 * <p>Pages in flight between isolation and migration (or putback) are neither free nor lost: each
 * still holds its isolation reference, an isolated LRU page has PG_lru clear and is counted in
 * nr_isolated_anon, and a mapped one may be off the LRU while its owner maps it.
 */
public final class MmCheck {
    /** The invariants, in the order they are checked; the verdict names the first that failed. */
    enum Invariant {
        FREE_LIST_LINKS("free list links"),
        FREE_BLOCK_STATE("free block state"),
        FREE_BLOCK_MIGRATETYPE("free block migratetype"),
        REFCOUNT_UNDERFLOW("refcount underflow"),
        FREE_PAGE_REFCOUNT("free page with a refcount"),
        FREE_BLOCK_OVERLAP("PFN in two free blocks"),
        NR_FREE("nr_free"),
        NR_FREE_PAGES("NR_FREE_PAGES"),
        PCP_LIST_LINKS("per-cpu list links"),
        PCP_PAGE("page on a per-cpu list"),
        PCP_COUNT("pcp->count"),
        AERATED_BLOCK("aerated block"),
        NR_FREE_AERATED("nr_free_aerated"),
        PAGE_LEAK("page neither free nor allocated"),
        HINTED_PAGE("page off the free lists for hinting"),
        CONSERVATION("free + allocated + bad == pages"),
        LRU_LIST("LRU list links"),
        LRU_PAGE("LRU page state"),
        NR_INACTIVE_ANON("nr_inactive_anon"),
        ISOLATED_PAGE("isolated page state"),
        NR_ISOLATED_ANON("nr_isolated_anon"),
        NR_ANON_PAGES("nr_anon_pages"),
        NR_MLOCK("nr_mlock"),
        NR_ANON_THPS("nr_anon_transparent_hugepages"),
        NR_PAGETABLE("nr_page_table_pages"),
        NR_SLAB_UNRECLAIMABLE("nr_slab_unreclaimable"),
        WORKLOAD_CONTENT("workload content"),
        WORKLOAD_DATA_LOSS("workload data loss"),
        HOST_FRAME("host-held frame in guest use"),
        HOST_DATA_LOSS("guest access to a host-held frame"),
        HOST_DISCARD_IN_USE("reported frame discarded in guest use"),
        CONTRIBUTED("bundle invariant");

        final String text;

        Invariant(String text) {
            this.text = text;
        }
    }

    static final int MAX_LINES_PER_INVARIANT = 5;
    static final int MAX_PROBLEM_LINES = 40;

    private final GuestMemory g;
    private final Workload w;
    private final MemMap map;
    private final long[] failures = new long[Invariant.values().length];
    /** PageAerated blocks seen per order in the zone being walked. */
    private final long[] aeratedSeen = new long[Mm.NR_PAGE_ORDERS];
    private final int[] shown = new int[Invariant.values().length];
    private final List<String> problems = new ArrayList<>();

    private MmCheck(GuestMemory g, Workload w) {
        this.g = g;
        this.w = w;
        this.map = g.map;
    }

    /** Checks the whole guest with the machine stopped; w may be null (no workload to check). */
    public static CheckResult run(GuestMemory g, Workload w) {
        return g.stopMachine(() -> new MmCheck(g, w).check());
    }

    /**
     * A frame a host holds (and would not fault back in) must be one the guest gave away: still
     * allocated (a tail of a live non-compound high-order allocation is: a 2 MiB balloon page), and not a
     * user page. Free or mapped by a process, the guest touches it sooner or later.
     */
    private void checkHostFrames(BitSet ownerTails) {
        g.hostFrames.forEachHeld((pfn, host) -> {
            if (host.faultsInOnAccess()) {
                return;
            }
            String use = map.refcount(pfn) <= 0 && !ownerTails.get(pfn) ? "free"
                    : (map.mapping[pfn] & MemMap.PAGE_MAPPING_ANON) != 0 || map.testFlag(pfn, PageFlags.PG_lru)
                            ? "a user page" : null;
            if (use != null) {
                fail(Invariant.HOST_FRAME, String.format("pfn %#x, which %s holds, is %s", pfn, host.name(), use));
            }
        });
        long lost = g.hostFrames.dataLoss();
        if (lost > 0) {
            fail(Invariant.HOST_DATA_LOSS, lost + " guest accesses to frames a host held (see dmesg)");
        }
        long inUse = g.hinting.discardedInUse();
        if (inUse > 0) {
            fail(Invariant.HOST_DISCARD_IN_USE, inUse + " frames a host discarded as reported free pages while the"
                    + " guest used them: their data is lost (see dmesg)");
        }
    }

    private void fail(Invariant inv, String line) {
        failures[inv.ordinal()]++;
        if (shown[inv.ordinal()] < MAX_LINES_PER_INVARIANT && problems.size() < MAX_PROBLEM_LINES) {
            shown[inv.ordinal()]++;
            problems.add(inv.text + ": " + line);
        }
    }

    private CheckResult check() {
        int n = map.nrPages;
        BitSet free = new BitSet(n);
        long[] walked = new long[2]; // blocks, pages (all migratetypes)
        int nrLists = 0;
        for (Zone z : g.zones) {
            nrLists += walkFreeArea(z, free, walked);
        }
        long freePfns = free.cardinality();

        // page_owner: tails of live non-compound high-order allocations (a head that went back to the
        // allocator alone, e.g. by put_page(), left its tails nobody's: those are leaks)
        BitSet ownerTails = new BitSet(n);
        g.pageOwner.forEach((head, order) -> {
            if (head < n && !free.get(head) && map.refcount[head] > 0) {
                ownerTails.set(Math.min(n, head + 1), Math.min(n, head + (1 << order)));
            }
        });

        // free pages a compactor holds on its registered lists (refcount 0, order in page->private)
        BitSet isolatedFree = new BitSet(n);
        for (int head : g.migrate.isolatedFreeLists()) {
            walkIsolatedFreeList(head, isolatedFree);
        }
        // free pages a hinting design has off the free lists (refcount 0, on its batch or in a report)
        BitSet hinted = g.hinting.hintedSnapshot();
        // free pages on the per-cpu lists: on no other list, in no free block, neither isolated nor hinted
        BitSet pcpFree = new BitSet(n);
        for (Zone z : g.zones) {
            for (PerCpuPages pcp : z.perCpuPageset) {
                walkPcp(z, pcp, free, isolatedFree, hinted, pcpFree);
            }
        }
        long pcpPages = pcpFree.cardinality();
        boolean anyPcp = pcpPages > 0;

        PageTally t = tallyPages(free, pcpFree, isolatedFree, hinted, ownerTails);
        checkHinted(hinted, free, t.hintedPages);
        long accounted = walked[1] + pcpPages + t.allocated + t.compoundTails + t.highOrderTails + t.bad
                + t.isolatedFreePages + t.hintedPages;
        if (accounted != n) {
            fail(Invariant.CONSERVATION, String.format("%d on free lists + %d on per-cpu lists + %d allocated + %d"
                    + " compound tails + %d high-order tails + %d bad + %d isolated free + %d hinted = %d, but there are"
                    + " %d pages", walked[1], pcpPages, t.allocated, t.compoundTails, t.highOrderTails, t.bad,
                    t.isolatedFreePages, t.hintedPages, accounted, n));
        }

        long onLru = walkLru(t.lruFlagged);
        long[] isolated = checkIsolated();
        long nrAnon = g.vmstat.get(VmItem.NR_ANON_PAGES);
        if (nrAnon != t.anonMapped) {
            fail(Invariant.NR_ANON_PAGES, String.format("nr_anon_pages is %d, but %d pages are mapped anon pages",
                    nrAnon, t.anonMapped));
        }
        if (w != null && nrAnon != w.mappedPages()) {
            fail(Invariant.NR_ANON_PAGES, String.format("nr_anon_pages is %d, but the workload maps %d pages", nrAnon,
                    w.mappedPages()));
        }
        // /proc/meminfo's Mlocked and AnonHugePages read these counters: they must be what the pages say
        long nrMlock = g.vmstat.nrMlock.get();
        if (nrMlock != t.mlocked) {
            fail(Invariant.NR_MLOCK, String.format("nr_mlock is %d, but %d pages are in mlocked folios (PG_mlocked)",
                    nrMlock, t.mlocked));
        }
        long nrAnonThps = g.vmstat.nrAnonThps.get();
        if (nrAnonThps != t.anonThps) {
            fail(Invariant.NR_ANON_THPS, String.format("nr_anon_transparent_hugepages is %d, but %d pages are in mapped"
                    + " anon THPs (anon folios of order %d)", nrAnonThps, t.anonThps, Meminfo.HPAGE_PMD_ORDER));
        }
        long nrPagetable = g.vmstat.get(VmItem.NR_PAGETABLE);
        if (nrPagetable != t.tablePages) {
            fail(Invariant.NR_PAGETABLE, String.format("nr_page_table_pages is %d, but %d pages are PageTable",
                    nrPagetable, t.tablePages));
        }
        long nrSlab = g.vmstat.get(VmItem.NR_SLAB_UNRECLAIMABLE_B);
        if (nrSlab != t.slabPages) {
            fail(Invariant.NR_SLAB_UNRECLAIMABLE, String.format("nr_slab_unreclaimable is %d, but %d pages are in slab"
                    + " folios (PageSlab)", nrSlab, t.slabPages));
        }
        if (w != null) {
            List<String> lines = new ArrayList<>();
            long mismatches = w.verifyContent(lines::add);
            failures[Invariant.WORKLOAD_CONTENT.ordinal()] += mismatches;
            for (String l : lines) {
                if (problems.size() < MAX_PROBLEM_LINES) {
                    problems.add(Invariant.WORKLOAD_CONTENT.text + ": " + l);
                }
            }
            shown[Invariant.WORKLOAD_CONTENT.ordinal()] = (int) mismatches; // verifyContent counted the rest
            long lost = w.dataLoss();
            if (lost > 0) {
                fail(Invariant.WORKLOAD_DATA_LOSS, lost + " reads since start found content the process had not"
                        + " written (see dmesg)");
            }
        }
        checkHostFrames(ownerTails);
        List<String> contributed = new ArrayList<>();
        g.debug.kasan().disableCurrent(); // the checks read page->mapping as the kernel would, but report nothing
        try {
            for (CheckContributor c : g.checkContributors) {
                c.check(line -> contributed.add(c.name() + ": " + line),
                        problem -> fail(Invariant.CONTRIBUTED, c.name() + ": " + problem));
            }
        } finally {
            g.debug.kasan().enableCurrent();
        }

        List<String> out = new ArrayList<>();
        out.add(String.format("mm:check: %d pages (%s) in %d zones, machine stopped", n,
                org.mmlab.mm.Sizes.format(n), g.zones.length));
        out.add(String.format("free lists: %d lists, %d blocks, %d pages (%d PFNs)", nrLists, walked[0], walked[1],
                freePfns));
        if (anyPcp) {
            out.add(String.format("per-cpu lists: %d pages free on them (not in nr_free nor NR_FREE_PAGES)", pcpPages));
        }
        out.add(String.format("pages: %d free + %d allocated (%d reserved) + %d compound tails + %d high-order tails"
                + " + %d bad%s = %d of %d", walked[1] + pcpPages, t.allocated, t.reserved, t.compoundTails,
                t.highOrderTails, t.bad,
                t.hintedPages > 0 ? " + " + t.hintedPages + " hinted" : "", accounted, n));
        out.add(String.format("lru: %d pages on inactive_anon, nr_inactive_anon %d", onLru,
                g.vmstat.get(VmItem.NR_INACTIVE_ANON)));
        if (isolated[0] + isolated[1] + t.isolatedFreePages > 0) {
            out.add(String.format("in flight: %d LRU pages isolated (nr_isolated_anon %d), %d movable pages isolated,"
                    + " %d free pages isolated", isolated[0], g.vmstat.get(VmItem.NR_ISOLATED_ANON), isolated[1],
                    t.isolatedFreePages));
        }
        out.add(String.format("counters: nr_anon_pages %d, nr_page_table_pages %d, nr_slab_unreclaimable %d", nrAnon,
                nrPagetable, nrSlab));
        if (w != null) {
            out.add(String.format("workload: %d mapped pages checked, %d data-loss reports", w.mappedPages(),
                    w.dataLoss()));
        }
        if (t.hintedPages > 0 || g.hostFrames.reportedHeld() > 0) {
            out.add(String.format("hinting: %d free pages off the free lists (a batch or a report in flight), %d"
                    + " reported frames the host holds", t.hintedPages, g.hostFrames.reportedHeld()));
        }
        if (g.hostFrames.held() > 0 || g.hostFrames.dataLoss() > 0) {
            out.add(String.format("hosts: %d frames held, %d guest accesses to held frames", g.hostFrames.held(),
                    g.hostFrames.dataLoss()));
        }
        out.addAll(contributed);
        for (Invariant inv : Invariant.values()) {
            long rest = failures[inv.ordinal()] - shown[inv.ordinal()];
            if (rest > 0) {
                problems.add(String.format("%s: ... and %d more", inv.text, rest));
            }
        }
        Invariant first = null;
        int failed = 0;
        for (Invariant inv : Invariant.values()) {
            if (failures[inv.ordinal()] > 0) {
                failed++;
                if (first == null) {
                    first = inv;
                }
            }
        }
        String verdict = first == null ? "mm:check: OK" : String.format("mm:check: FAIL %s: %d%s", first.text,
                failures[first.ordinal()], failed > 1 ? String.format(" (and %d more invariants)", failed - 1) : "");
        return new CheckResult(out, problems, first == null, verdict);
    }

    /** What one pass over every PFN counts: each page not free is allocated, a tail, bad, isolated or hinted. */
    private static final class PageTally {
        long allocated;
        long reserved;
        long compoundTails;
        long highOrderTails;
        long bad;
        long isolatedFreePages;
        long hintedPages;
        long lruFlagged;
        long tablePages;
        long slabPages;
        long anonMapped;
        /** Pages of folios with PG_mlocked (set on a folio's head), as NR_MLOCK counts them. */
        long mlocked;
        /** Pages of mapped anon folios of HPAGE_PMD_ORDER, as NR_ANON_THPS counts them. */
        long anonThps;
    }

    /**
     * The pass over every PFN, a method of its own so that the JIT compiles the loop alone: inside check(), the
     * JIT of a fresh lab running race 1 spent 1.8 s compiling the whole method (C2 on-stack 1.41 s, C1 0.37 s);
     * apart, no compilation of MmCheck's takes 100 ms (JFR's jdk.Compilation, 2026-12-07).
     */
    private PageTally tallyPages(BitSet free, BitSet pcpFree, BitSet isolatedFree, BitSet hinted, BitSet ownerTails) {
        int n = map.nrPages;
        long[] freeWords = free.toLongArray();
        int[] refcount = map.refcount;
        int[] flags = map.flags;
        int[] word = map.mapcountOrType;
        int[] next = map.next;
        int[] mapping = map.mapping;
        boolean anyBad = g.alloc.freeChecks.badPageCount() > 0;
        int tableTop = PageType.TABLE.value();
        int slabTop = PageType.SLAB.value();
        int lruBit = 1 << PageFlags.PG_lru;
        int reservedBit = 1 << PageFlags.PG_reserved;
        int headBit = 1 << PageFlags.PG_head;
        int mlockedBit = 1 << PageFlags.PG_mlocked;
        boolean anyPcp = !pcpFree.isEmpty();
        boolean anyIsolatedFree = !isolatedFree.isEmpty();
        boolean anyHinted = !hinted.isEmpty();
        PageTally t = new PageTally();
        for (int pfn = 0; pfn < n; pfn++) {
            int f = flags[pfn];
            int wd = word[pfn];
            if ((f & lruBit) != 0) {
                t.lruFlagged++;
            }
            if (wd >>> 24 == tableTop) {
                t.tablePages++;
            } else if (wd >>> 24 == slabTop) {
                // PGTY_slab is on a slab folio's head only
                t.slabPages += (f & headBit) != 0 ? 1L << map.compoundOrder(pfn) : 1;
            }
            int x = next[pfn];
            boolean tail = x <= -2 && x > PageLists.LIST_POISON_MIN;
            if (wd >= 0 && (mapping[pfn] & MemMap.PAGE_MAPPING_ANON) != 0 && !tail) {
                // a mapped anon folio counts all its pages in nr_anon_pages (NR_ANON_MAPPED)
                if ((f & headBit) == 0) {
                    t.anonMapped++;
                } else {
                    int order = map.compoundOrder(pfn);
                    t.anonMapped += 1L << order;
                    if (order == Meminfo.HPAGE_PMD_ORDER
                            && (mapping[pfn] & MemMap.PAGE_MAPPING_FLAGS) == MemMap.PAGE_MAPPING_ANON) {
                        t.anonThps += 1L << order;
                    }
                }
            }
            if ((f & mlockedBit) != 0 && !tail) {
                t.mlocked += (f & headBit) != 0 ? 1L << map.compoundOrder(pfn) : 1;
            }
            int wi = pfn >>> 6;
            if (wi < freeWords.length && (freeWords[wi] & (1L << pfn)) != 0) {
                continue;
            }
            if (anyPcp && pcpFree.get(pfn)) {
                continue;
            }
            if (anyBad && g.alloc.freeChecks.isBadPage(pfn)) {
                t.bad++;
                continue;
            }
            int rc = refcount[pfn];
            if (rc < 0) {
                fail(Invariant.REFCOUNT_UNDERFLOW, String.format("pfn %#x: refcount %d (put_page() without a"
                        + " reference)", pfn, rc));
                continue;
            }
            if ((f & reservedBit) != 0) {
                t.allocated++; // memblock kept it at boot: the allocator never had it
                t.reserved++;
                continue;
            }
            if (rc > 0) {
                t.allocated++;
                continue;
            }
            if (anyIsolatedFree && isolatedFree.get(pfn)) {
                t.isolatedFreePages++;
                continue;
            }
            if (anyHinted && hinted.get(pfn)) {
                t.hintedPages++;
                continue;
            }
            if (tail) {
                int head = -x - 2;
                if (head >= 0 && head < pfn && map.testFlag(head, PageFlags.PG_head) && refcount[head] > 0
                        && pfn < head + (1 << map.compoundOrder(head))) {
                    t.compoundTails++;
                } else {
                    fail(Invariant.PAGE_LEAK, String.format("pfn %#x: tail of compound head %#x, which is not an"
                            + " allocated compound page covering it", pfn, head));
                }
                continue;
            }
            if (ownerTails.get(pfn)) {
                t.highOrderTails++;
                continue;
            }
            fail(Invariant.PAGE_LEAK, String.format("pfn %#x: refcount 0, not free, not a tail, not bad: leaked"
                    + " (flags %#x(%s) mapping %#x)", pfn, f, PageFlags.format(f), mapping[pfn]));
        }
        return t;
    }

    /**
     * Pages a hinting design has off the free lists: free (refcount 0), on no free list, and held by an
     * installed design (rule ii of PageAllocHinting); a design gone with pages out lost them.
     */
    private void checkHinted(BitSet hinted, BitSet free, long counted) {
        for (int pfn = hinted.nextSetBit(0); pfn >= 0; pfn = hinted.nextSetBit(pfn + 1)) {
            if (free.get(pfn)) {
                fail(Invariant.HINTED_PAGE, String.format("pfn %#x is off the free lists for hinting and on a free list",
                        pfn));
            } else if (map.refcount(pfn) != 0) {
                fail(Invariant.HINTED_PAGE, String.format("pfn %#x is off the free lists for hinting with refcount %d"
                        + " (allocated meanwhile)", pfn, map.refcount(pfn)));
            }
        }
        if (counted > 0 && !g.hinting.designInstalled()) {
            fail(Invariant.HINTED_PAGE, counted + " pages are off the free lists for hinting, but no hinting design is"
                    + " installed to put them back: they are lost");
        }
    }

    // ------------------------------------------------------------------ free lists

    /** Walks one zone's free_area[]; returns how many lists it walked. */
    private int walkFreeArea(Zone z, BitSet free, long[] walked) {
        long zoneFree = 0;
        int lists = 0;
        java.util.Arrays.fill(aeratedSeen, 0);
        for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
            long perOrder = 0;
            for (int mt = 0; mt < Zone.NR_MIGRATETYPES; mt++) {
                long entries = walkFreeList(z, o, mt, free);
                lists++;
                walked[0] += entries;
                walked[1] += entries << o;
                perOrder += entries;
                if (mt != MigrateType.ISOLATE.ordinal()) {
                    zoneFree += entries << o;
                }
                if (entries != z.nrFreeByType[o][mt]) {
                    fail(Invariant.NR_FREE, String.format("%s order %d %s: %d blocks on the list, nr_free says %d",
                            z.name, o, MigrateType.of(mt).kernelName(), entries, z.nrFreeByType[o][mt]));
                }
            }
            if (perOrder != z.nrFree[o]) {
                fail(Invariant.NR_FREE, String.format("%s order %d: %d blocks on the lists, free_area.nr_free says %d",
                        z.name, o, perOrder, z.nrFree[o]));
            }
            if (aeratedSeen[o] != z.nrFreeAerated[o]) {
                fail(Invariant.NR_FREE_AERATED, String.format("%s order %d: %d PageAerated blocks on the lists,"
                        + " free_area.nr_free_aerated says %d", z.name, o, aeratedSeen[o], z.nrFreeAerated[o]));
            }
        }
        if (zoneFree != z.freePages) {
            fail(Invariant.NR_FREE_PAGES, String.format("%s: %d pages in free blocks (Isolate excluded), zone says %d",
                    z.name, zoneFree, z.freePages));
        }
        return lists;
    }

    /** list_for_each() of one free list with the DEBUG_LIST checks; returns the entries walked before any corruption. */
    private long walkFreeList(Zone z, int order, int mt, BitSet free) {
        String where = z.name + " order " + order + " " + MigrateType.of(mt).kernelName();
        return walkList(z.freeList[order][mt], where, Invariant.FREE_LIST_LINKS, z.presentPages,
                id -> checkFreeBlock(z, order, mt, id, free, where));
    }

    /**
     * list_for_each() with the DEBUG_LIST checks (poisoned, foreign or cyclic links, next->prev, head->prev),
     * each entry given to visit; returns the entries walked before any corruption, reported as links.
     */
    private long walkList(int head, String where, Invariant links, long maxEntries, IntConsumer visit) {
        int prev = head;
        int id = map.next[head];
        long entries = 0;
        while (id != head) {
            if (id == PageLists.LIST_POISON1 || id == PageLists.LIST_POISON2) {
                fail(links, String.format("%s: %s->next is %s (%s)", where, node(prev),
                        id == PageLists.LIST_POISON1 ? "LIST_POISON1" : "LIST_POISON2", g.lists.addr(id)));
                return entries;
            }
            if (id < 0 || id >= map.next.length) {
                fail(links, String.format("%s: %s->next is %#x, not a node", where, node(prev), id));
                return entries;
            }
            if (id >= map.nrPages) {
                fail(links, String.format("%s: %s->next is another list's head", where, node(prev)));
                return entries;
            }
            if (map.prev[id] != prev) {
                fail(links, String.format("%s: next->prev should be %s, but pfn %#x->prev is %s", where, node(prev), id,
                        node(map.prev[id])));
                return entries;
            }
            if (++entries > maxEntries) {
                fail(links, where + ": the list does not end (a cycle)");
                return entries;
            }
            visit.accept(id);
            prev = id;
            id = map.next[id];
        }
        if (map.prev[head] != prev) {
            fail(links, String.format("%s: head->prev is %s, should be the last entry %s", where, node(map.prev[head]),
                    node(prev)));
        }
        return entries;
    }

    private String node(int id) {
        if (id >= 0 && id < map.nrPages) {
            return String.format("pfn %#x", id);
        }
        return id >= map.nrPages ? "the list head" : g.lists.addr(id);
    }

    /** One free block: PageBuddy, its order, aligned, in the zone, on its pageblock's list, nobody's. */
    private void checkFreeBlock(Zone z, int order, int mt, int pfn, BitSet free, String where) {
        int size = 1 << order;
        if (!z.contains(pfn) || pfn + size > z.endPfn) {
            fail(Invariant.FREE_BLOCK_STATE, String.format("%s: pfn %#x+%d is not inside the zone [%#x, %#x)", where,
                    pfn, size, z.startPfn, z.endPfn));
            return;
        }
        if (!map.hasType(pfn, PageType.BUDDY)) {
            fail(Invariant.FREE_BLOCK_STATE, String.format("%s: pfn %#x is not PageBuddy (page_type %s)", where, pfn,
                    map.pageType(pfn) == null ? "none, mapcount " + map.mapcount(pfn) : map.pageType(pfn).kernelName()));
        } else if (map.pagePrivate[pfn] != order) {
            fail(Invariant.FREE_BLOCK_STATE, String.format("%s: pfn %#x has buddy order %d", where, pfn,
                    map.pagePrivate[pfn]));
        }
        if ((pfn & (size - 1)) != 0) {
            fail(Invariant.FREE_BLOCK_STATE, String.format("%s: pfn %#x is not aligned to its order", where, pfn));
        }
        if (map.pageAerated(pfn)) {
            aeratedSeen[order]++;
            if (order < HintingCore.AERATOR_MIN_ORDER) {
                fail(Invariant.AERATED_BLOCK, String.format("%s: pfn %#x is PageAerated below AERATOR_MIN_ORDER (%d)",
                        where, pfn, HintingCore.AERATOR_MIN_ORDER));
            }
        }
        for (int pb = pfn; pb < pfn + size; pb += Mm.PAGEBLOCK_NR_PAGES) {
            if (map.pageblockMigratetype(pb).ordinal() != mt) {
                fail(Invariant.FREE_BLOCK_MIGRATETYPE, String.format("%s: pfn %#x is in a %s pageblock (at %#x)",
                        where, pfn, map.pageblockMigratetype(pb).kernelName(), pb & ~(Mm.PAGEBLOCK_NR_PAGES - 1)));
                break;
            }
        }
        int other = free.nextSetBit(pfn);
        if (other >= 0 && other < pfn + size) {
            fail(Invariant.FREE_BLOCK_OVERLAP, String.format("%s: pfn %#x+%d overlaps a free block already seen at"
                    + " pfn %#x", where, pfn, size, other));
        }
        free.set(pfn, pfn + size);
        for (int p = pfn; p < pfn + size; p++) {
            checkFreeRefcount(p, where);
        }
    }

    /** A free page (on a free list or a per-cpu list) holds no reference. */
    private void checkFreeRefcount(int p, String where) {
        int rc = map.refcount[p];
        if (rc < 0) {
            fail(Invariant.REFCOUNT_UNDERFLOW, String.format("pfn %#x (free, %s): refcount %d (put_page() without a"
                    + " reference)", p, where, rc));
        } else if (rc > 0) {
            fail(Invariant.FREE_PAGE_REFCOUNT, String.format("%s: pfn %#x is free with refcount %d", where, p, rc));
        }
    }

    /**
     * One CPU's pageset of a zone: each list's links (DEBUG_LIST), each block of the list's order free
     * (refcount 0, not PageBuddy), aligned, in the zone, on no free list or other pcp list, neither
     * isolated nor hinted; pcp->count is the pages on the lists.
     */
    private void walkPcp(Zone z, PerCpuPages pcp, BitSet free, BitSet isolatedFree, BitSet hinted, BitSet pcpFree) {
        long pages = 0;
        for (int pindex = 0; pindex < PerCpuPages.NR_PCP_LISTS; pindex++) {
            int order = PerCpuPages.pindexToOrder(pindex);
            // concatenated, not formatted: mm:check walks every list after each race run
            String where = z.name + " cpu " + pcp.cpu + " order " + order + " "
                    + MigrateType.of(pindex % MigrateType.PCPTYPES).kernelName();
            pages += walkList(pcp.lists[pindex], where, Invariant.PCP_LIST_LINKS, z.presentPages,
                    id -> checkPcpBlock(z, order, id, free, isolatedFree, hinted, pcpFree, where)) << order;
        }
        if (pages != pcp.count) {
            fail(Invariant.PCP_COUNT, String.format("%s cpu %d: %d pages on the per-cpu lists, pcp->count says %d",
                    z.name, pcp.cpu, pages, pcp.count));
        }
    }

    private void checkPcpBlock(Zone z, int order, int pfn, BitSet free, BitSet isolatedFree, BitSet hinted,
            BitSet pcpFree, String where) {
        int size = 1 << order;
        if (!z.contains(pfn) || pfn + size > z.endPfn || (pfn & (size - 1)) != 0) {
            fail(Invariant.PCP_PAGE, String.format("%s: pfn %#x+%d is not an aligned block inside the zone", where,
                    pfn, size));
            return;
        }
        if (map.hasType(pfn, PageType.BUDDY)) {
            fail(Invariant.PCP_PAGE, String.format("%s: pfn %#x is PageBuddy", where, pfn));
        }
        for (int p = pfn; p < pfn + size; p++) {
            String also = free.get(p) ? "in a free block on a free list" : pcpFree.get(p) ? "on another per-cpu list"
                    : isolatedFree.get(p) ? "isolated by a compactor" : hinted.get(p) ? "off the free lists for hinting"
                    : null;
            if (also != null) {
                fail(Invariant.PCP_PAGE, String.format("%s: pfn %#x is on a per-cpu list and %s", where, p, also));
            }
            checkFreeRefcount(p, where);
        }
        pcpFree.set(pfn, pfn + size);
    }

    // ------------------------------------------------------------------ pages in flight (mm/migrate.c)

    /**
     * Pages on migration lists: each holds its isolation reference (a page freed while isolated is
     * lost to migration's put_page()), an isolated LRU page is off the LRU with PG_lru clear, and
     * nr_isolated_anon counts the LRU ones. Returns {LRU pages, movable pages}.
     */
    private long[] checkIsolated() {
        BitSet lru = g.migrate.isolatedLruPages();
        BitSet movable = g.migrate.isolatedMovablePages();
        for (int pfn = lru.nextSetBit(0); pfn >= 0; pfn = lru.nextSetBit(pfn + 1)) {
            if (map.refcount(pfn) <= 0) {
                fail(Invariant.ISOLATED_PAGE, String.format("pfn %#x is isolated from the LRU with refcount %d (freed"
                        + " while on a migration list)", pfn, map.refcount(pfn)));
            } else if (map.testFlag(pfn, PageFlags.PG_lru)) {
                fail(Invariant.ISOLATED_PAGE, String.format("pfn %#x is isolated from the LRU but has PG_lru", pfn));
            }
            if (movable.get(pfn)) {
                fail(Invariant.ISOLATED_PAGE, String.format("pfn %#x is isolated both as an LRU and as a movable page",
                        pfn));
            }
        }
        for (int pfn = movable.nextSetBit(0); pfn >= 0; pfn = movable.nextSetBit(pfn + 1)) {
            if (map.refcount(pfn) <= 0) {
                fail(Invariant.ISOLATED_PAGE, String.format("pfn %#x is isolated from its movable-page owner with"
                        + " refcount %d (freed while on a migration list)", pfn, map.refcount(pfn)));
            }
        }
        long nrIsolated = g.vmstat.get(VmItem.NR_ISOLATED_ANON);
        if (nrIsolated != lru.cardinality()) {
            fail(Invariant.NR_ISOLATED_ANON, String.format("nr_isolated_anon is %d, but %d LRU pages are isolated",
                    nrIsolated, lru.cardinality()));
        }
        return new long[] {lru.cardinality(), movable.cardinality()};
    }

    /** A registered list of isolated free blocks: every block (head, order in page->private) is nobody's. */
    private void walkIsolatedFreeList(int head, BitSet isolatedFree) {
        int prev = head;
        int id = map.next[head];
        long entries = 0;
        while (id != head) {
            if (id < 0 || id >= map.nrPages || map.prev[id] != prev || ++entries > map.nrPages) {
                fail(Invariant.PAGE_LEAK, String.format("isolated free list %s: corrupt at %s", node(head), node(id)));
                return;
            }
            int order = map.pagePrivate[id];
            int size = order >= 0 && order <= Mm.MAX_PAGE_ORDER ? 1 << order : 1;
            if (map.refcount(id) == 0) {
                isolatedFree.set(id, Math.min(map.nrPages, id + size));
            }
            prev = id;
            id = map.next[id];
        }
    }

    // ------------------------------------------------------------------ LRU

    /** Walks the inactive anon LRU (folios: a large one counts all its pages); returns the pages on it. */
    private long walkLru(long lruFlagged) {
        Lruvec lru = g.lruvec;
        int head = lru.inactiveAnon;
        long[] perZone = new long[g.zones.length];
        int prev = head;
        int id = map.next[head];
        long entries = 0;
        long pages = 0;
        boolean clean = true;
        while (id != head) {
            if (id < 0 || id >= map.nrPages) {
                fail(Invariant.LRU_LIST, String.format("inactive_anon: %s->next is %s", node(prev), node(id)));
                clean = false;
                break;
            }
            if (map.prev[id] != prev) {
                fail(Invariant.LRU_LIST, String.format("inactive_anon: next->prev should be %s, but pfn %#x->prev is %s",
                        node(prev), id, node(map.prev[id])));
                clean = false;
                break;
            }
            if (++entries > map.nrPages) {
                fail(Invariant.LRU_LIST, "inactive_anon: the list does not end (a cycle)");
                clean = false;
                break;
            }
            if (!map.testFlag(id, PageFlags.PG_lru)) {
                fail(Invariant.LRU_PAGE, String.format("pfn %#x is on inactive_anon without PG_lru", id));
            }
            if (map.refcount(id) <= 0) {
                fail(Invariant.LRU_PAGE, String.format("pfn %#x is on inactive_anon with refcount %d", id,
                        map.refcount(id)));
            }
            long nr = 1L << map.compoundOrder(id);
            pages += nr;
            perZone[g.alloc.zoneOf(id).idx] += nr;
            prev = id;
            id = map.next[id];
        }
        if (clean && map.prev[head] != prev) {
            fail(Invariant.LRU_LIST, String.format("inactive_anon: head->prev is %s, should be the last entry %s",
                    node(map.prev[head]), node(prev)));
        }
        if (lruFlagged != entries) {
            fail(Invariant.LRU_PAGE, String.format("%d pages have PG_lru, %d folios are on the LRU list", lruFlagged,
                    entries));
        }
        long nr = g.vmstat.get(VmItem.NR_INACTIVE_ANON);
        if (nr != pages) {
            fail(Invariant.NR_INACTIVE_ANON, String.format("nr_inactive_anon is %d, %d pages are on the list", nr,
                    pages));
        }
        for (Zone z : g.zones) {
            if (lru.zoneInactiveAnon(z.idx) != perZone[z.idx]) {
                fail(Invariant.NR_INACTIVE_ANON, String.format("%s: nr_zone_inactive_anon is %d, %d of its pages are on"
                        + " the list", z.name, lru.zoneInactiveAnon(z.idx), perZone[z.idx]));
            }
        }
        return pages;
    }
}
