package org.mmlab.mm.internal;

import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * Models one user process's mm_struct and the anonymous-memory paths of mm/memory.c:
 * do_anonymous_page() (fault), zap_pte_range() (unmap) and exit_mmap() (exit, or the OOM reaper's
 * __oom_reap_task_mm()). Its one VMA is anonymous memory of nrVpages pages; pte[] is the page
 * table (vpage to PFN), backed by one GFP_KERNEL PTE page (PageTable) per 512 vpages.
 *
 * <p>Locking, as the kernel's page table lock (ptl):
 * <ol>
 * <li>ptl protects pte[], expected[], pageTables[], the mapped/unmapped split, rss and the dead flags;
 *     only the worker that owns the process and the OOM reaper take it.</li>
 * <li>Nothing is allocated under ptl: a fault allocates its PTE page and its folio first and takes
 *     ptl only to install them (as __pte_alloc() and do_anonymous_page() do), so the OOM killer,
 *     which runs inside alloc_pages(), never waits for a ptl its own caller holds.</li>
 * <li>ptl nests outside lru_lock and zone->lock (pages are freed under it) and never inside them.</li>
 * <li>Migration (mm/migrate.c) takes the ptl inside the page lock of the page it moves: it replaces the
 *     PTE with a migration entry under the ptl, copies the page with the PTE gone, and puts a present
 *     PTE back under the ptl. An access that finds a migration entry drops the ptl and sleeps until the
 *     page is unlocked (migration_entry_wait()), then retries; it never waits for a page lock while
 *     holding the ptl. Unmapping a migration entry just clears it: it holds no reference.</li>
 * </ol>
 */
final class WorkloadProcess {
    /** PTRS_PER_PTE: one PTE page maps 512 pages (2 MiB). */
    static final int PTRS_PER_PTE = 512;
    /** Where the process's anonymous VMA starts (an x86_64 mmap_base-like address). */
    static final long VMA_START = 0x7f0000000000L;
    /** GFP_PGTABLE_USER: page tables are zeroed kernel memory. */
    static final int GFP_PGTABLE_USER = Gfp.GFP_KERNEL | Gfp.__GFP_ZERO;
    /** The workload maps its pages for user space from the movable lists (GFP_HIGHUSER_MOVABLE). */
    static final int GFP_USER_PAGE = Gfp.GFP_HIGHUSER_MOVABLE;

    /** What an operation did. */
    static final int DONE = 0;
    /** The allocation failed (the allocator already went through reclaim and the OOM killer). */
    static final int NOMEM = 1;
    /** The process was OOM-killed (or exited) meanwhile: nothing done. */
    static final int KILLED = 2;
    /** Nothing to do: no page mapped (write/read/unmap) or none left to map (fault). */
    static final int NOTHING = 3;

    final int pid;
    final String comm;
    /** The anon_vma, as a handle: page->mapping of every page this process maps is (handle << 2) | ANON. */
    final int anonHandle;
    final int nrVpages;
    /** The page table lock (split ptl per mm, not per PTE page: one lock per process). */
    final ReentrantLock ptl = new ReentrantLock();

    private final GuestMemory guest;
    private final Workload.Stats stats;
    /** The page table: vpage to PFN, -1 for pte_none. */
    private final int[] pte;
    /** The content tag the process wrote last to each vpage. */
    private final long[] expected;
    /** PFN of the PTE page for each 512 vpages, -1 while pmd_none. */
    private final int[] pageTables;
    /** A permutation of the vpages: [0, rss) are mapped, [rss, nrVpages) are not; for O(1) random picks. */
    private final int[] vpages;
    /** MM_ANONPAGES. */
    private volatile int rss;
    /** mm_pgtables_bytes / PAGE_SIZE. */
    private volatile int nrPtePages;
    /** MMF_OOM_VICTIM / TIF_MEMDIE: killed by the OOM killer; the memory may not be reaped yet. */
    private volatile boolean oomVictim;
    /** exit_mmap() done: everything freed, the anon_vma handle released. */
    private volatile boolean exited;
    /** Write generation, for fresh tags. */
    private long generation;

    // The task's personality, touched only by its owner worker.
    /** Relative chance of being picked (1, 2, 4 or 8): some processes are busier than others. */
    final int activity;
    /** The rss the process is growing or shrinking towards; re-picked at phase changes. */
    int target;
    /** Operations left before the process exits by itself. */
    long opsLeft;

    WorkloadProcess(GuestMemory guest, Workload.Stats stats, int pid, String comm, int nrVpages, Random rnd) {
        this.guest = guest;
        this.stats = stats;
        this.pid = pid;
        this.comm = comm;
        this.nrVpages = nrVpages;
        this.anonHandle = guest.handles.register(this);
        pte = new int[nrVpages];
        java.util.Arrays.fill(pte, -1);
        expected = new long[nrVpages];
        pageTables = new int[(nrVpages + PTRS_PER_PTE - 1) / PTRS_PER_PTE];
        java.util.Arrays.fill(pageTables, -1);
        vpages = new int[nrVpages];
        java.util.Arrays.setAll(vpages, i -> i);
        activity = 1 << rnd.nextInt(4);
        target = pickTarget(rnd);
        opsLeft = (long) nrVpages * (2 + rnd.nextInt(10));
    }

    /** A new rss target between a quarter of the address space and all of it. */
    int pickTarget(Random rnd) {
        int low = Math.max(1, nrVpages / 4);
        return low + rnd.nextInt(nrVpages - low + 1);
    }

    int rss() {
        return rss;
    }

    /**
     * The PTE of vpage read without the ptl, possibly stale: for a cache hint only (Compaction's
     * prefetch of a migration batch's page tables), never acted on.
     */
    int ptePeek(int vpage) {
        return vpage >= 0 && vpage < nrVpages ? pte[vpage] : 0;
    }

    /** The PTE of vpage as it is now: a PFN, -1 (pte_none), or a migration entry (below -1). For tests. */
    int pte(int vpage) {
        ptl.lock();
        try {
            return pte[vpage];
        } finally {
            ptl.unlock();
        }
    }

    int nrPtePages() {
        return nrPtePages;
    }

    boolean oomVictim() {
        return oomVictim;
    }

    boolean exited() {
        return exited;
    }

    /** Killed or gone: no more operations, only the exit that frees what is left. */
    boolean dead() {
        return oomVictim || exited;
    }

    /** oom_badness(): rss plus page tables (no swap, oom_score_adj 0); 0 when there is nothing to free. */
    long badness() {
        return dead() ? 0 : (long) rss + nrPtePages;
    }

    long vaddr(int vpage) {
        return VMA_START + ((long) vpage << Mm.PAGE_SHIFT);
    }

    private int mappingWord() {
        return (anonHandle << 2) | MemMap.PAGE_MAPPING_ANON;
    }

    /** make_migration_entry(): a non-present PTE for pfn while it migrates; encoded below -1 (pte_none). */
    static int migrationEntry(int pfn) {
        return -2 - pfn;
    }

    static boolean isMigrationEntry(int pte) {
        return pte <= -2;
    }

    static int migrationEntryPfn(int pte) {
        return -2 - pte;
    }

    /** A fresh content tag: never 0 or -1, which are what discarded and torn pages read as. */
    private long newTag(int vpage) {
        long z = ((long) pid << 40) ^ ((long) vpage << 8) ^ (++generation * 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return z == 0 || z == -1 ? 0x5a5a5a5a5a5a5a5aL : z;
    }

    // ------------------------------------------------------------------ do_anonymous_page()

    /** A write fault on a random unmapped vpage: allocate, map, write (do_anonymous_page()). */
    int fault(Random rnd) {
        int pos;
        int vpage;
        boolean needTable;
        ptl.lock();
        try {
            if (dead()) {
                return KILLED;
            }
            if (rss == nrVpages) {
                return NOTHING;
            }
            pos = rss + rnd.nextInt(nrVpages - rss);
            vpage = vpages[pos];
            needTable = pageTables[vpage / PTRS_PER_PTE] < 0;
        } finally {
            ptl.unlock();
        }
        // __pte_alloc(): the PTE page first, outside the ptl
        int table = Mm.NO_PAGE;
        if (needTable) {
            table = guest.allocPages(GFP_PGTABLE_USER, 0);
            if (table == Mm.NO_PAGE) {
                stats.allocFailures.increment();
                return NOMEM;
            }
            pagetableCtor(table);
        }
        // vma_alloc_zeroed_movable_folio()
        int pfn = guest.allocPages(GFP_USER_PAGE, 0);
        if (pfn == Mm.NO_PAGE) {
            stats.allocFailures.increment();
            if (table != Mm.NO_PAGE) {
                pagetableFree(table);
            }
            return NOMEM;
        }
        ptl.lock();
        try {
            if (!dead()) {
                if (table != Mm.NO_PAGE) {
                    // pmd_populate(), unless someone populated it meanwhile (pmd_none() re-checked)
                    if (pageTables[vpage / PTRS_PER_PTE] < 0) {
                        pageTables[vpage / PTRS_PER_PTE] = table;
                        nrPtePages++;
                        stats.pageTablePages.increment();
                        table = Mm.NO_PAGE;
                    }
                }
                mapNewPage(pfn, vpage, pos);
                pfn = Mm.NO_PAGE;
            }
        } finally {
            ptl.unlock();
        }
        // killed while we allocated: what we got goes back
        if (table != Mm.NO_PAGE) {
            pagetableFree(table);
        }
        if (pfn != Mm.NO_PAGE) {
            guest.freePages(pfn, 0);
            return KILLED;
        }
        return DONE;
    }

    /**
     * folio_add_new_anon_rmap(RMAP_EXCLUSIVE), __folio_mark_uptodate(), folio_add_lru_vma(), set_pte_at();
     * under ptl. As in 6.18's do_anonymous_page(), the write fault's PTE is dirty and writable, the folio
     * is not PG_dirty (the dirty bit lives in the PTE until someone moves it to the folio), and the page
     * is PG_anon_exclusive: this process alone maps it.
     */
    private void mapNewPage(int pfn, int vpage, int pos) {
        MemMap map = guest.map;
        map.mapping[pfn] = mappingWord();
        map.index[pfn] = vpage;
        MemMap.INTS.setVolatile(map.mapcountOrType, pfn, 0); // _mapcount 0: mapped once
        map.setFlag(pfn, PageFlags.PG_swapbacked);
        map.setFlag(pfn, PageFlags.PG_anon_exclusive);
        map.setFlag(pfn, PageFlags.PG_uptodate);
        long tag = newTag(vpage);
        guest.hostFrames.access(pfn, "user store (fault)");
        guest.content.write(pfn, tag); // the user's first write, which caused the fault
        guest.lruvec.add(pfn);
        pte[vpage] = pfn;
        expected[vpage] = tag;
        vpages[pos] = vpages[rss];
        vpages[rss] = vpage;
        rss++;
        guest.vmstat.inc(VmItem.NR_ANON_PAGES);
        guest.vmstat.inc(VmItem.PGFAULT);
        stats.mappedPages.increment();
        stats.faults.increment();
    }

    /** pagetable_pte_ctor(): a PTE page is typed PageTable and counted in nr_page_table_pages. */
    private void pagetableCtor(int pfn) {
        guest.map.setType(pfn, PageType.TABLE);
        guest.vmstat.inc(VmItem.NR_PAGETABLE);
    }

    /** pagetable_dtor() and pagetable_free(). */
    private void pagetableFree(int pfn) {
        guest.map.clearType(pfn);
        guest.vmstat.add(VmItem.NR_PAGETABLE, -1);
        guest.freePages(pfn, 0);
    }

    // ------------------------------------------------------------------ user accesses

    /** What a user access does to a present page, with the ptl held. */
    private interface Access {
        int apply(int vpage, int pfn);
    }

    /**
     * A load or store to a random mapped page: under the ptl, find its PTE and apply the access; a
     * migration entry sends the task to migration_entry_wait() and then it faults again on the same
     * address.
     */
    private int access(Random rnd, Access access) {
        int vpage = -1;
        while (true) {
            int migrating;
            ptl.lock();
            try {
                if (dead()) {
                    return KILLED;
                }
                if (vpage < 0) {
                    if (rss == 0) {
                        return NOTHING;
                    }
                    vpage = vpages[rnd.nextInt(rss)];
                }
                int entry = pte[vpage];
                if (entry == -1) {
                    return NOTHING;
                }
                if (!isMigrationEntry(entry)) {
                    return access.apply(vpage, entry);
                }
                migrating = migrationEntryPfn(entry);
            } finally {
                ptl.unlock();
            }
            migrationEntryWait(migrating);
        }
    }

    /** A store to a random mapped page: a new tag generation. */
    int write(Random rnd) {
        return access(rnd, (vpage, pfn) -> {
            long tag = newTag(vpage);
            guest.hostFrames.access(pfn, "user store");
            guest.content.write(pfn, tag);
            expected[vpage] = tag;
            stats.writes.increment();
            return DONE;
        });
    }

    /** A load from a random mapped page, checked against what this process wrote last. */
    int read(Random rnd) {
        return access(rnd, (vpage, pfn) -> {
            guest.hostFrames.access(pfn, "user load");
            long found = guest.content.read(pfn);
            if (found != expected[vpage]) {
                stats.dataLoss.increment();
                guest.dmesg.warn(String.format("mmlab-workload: data loss: pid %d (%s) vaddr %#x pfn %#x:"
                        + " expected %016x, found %016x", pid, comm, vaddr(vpage), pfn, expected[vpage], found), null);
                expected[vpage] = found; // what the process sees from now on; report each loss once
            } else {
                stats.readsVerified.increment();
            }
            return DONE;
        });
    }

    /**
     * migration_entry_wait(): the access hit a migration entry; with the ptl dropped, sleep until the
     * migrating task unlocks the page, then fault again (the PTE then maps the new page, or the old one
     * if migration failed).
     */
    private void migrationEntryWait(int pfn) {
        guest.pageLock.waitUnlocked(pfn);
    }

    // ------------------------------------------------------------------ zap_pte_range()

    /** munmap()/MADV_DONTNEED of one random mapped page: clear the PTE, drop the mapping, put the page. */
    int unmap(Random rnd) {
        int pfn;
        ptl.lock();
        try {
            if (dead()) {
                return KILLED;
            }
            if (rss == 0) {
                return NOTHING;
            }
            int pos = rnd.nextInt(rss);
            int vpage = vpages[pos];
            pfn = zapPte(vpage);
            vpages[pos] = vpages[rss - 1];
            vpages[rss - 1] = vpage;
            rss--;
        } finally {
            ptl.unlock();
        }
        // tlb_finish_mmu() -> folios_put(): after the ptl, as the kernel's mmu_gather batches do
        if (pfn != Mm.NO_PAGE) {
            guest.putPage(pfn);
        }
        stats.unmaps.increment();
        return DONE;
    }

    /**
     * ptep_get_and_clear() + folio_remove_rmap_pte(); the caller fixes rss and puts the page. Under ptl.
     * A migration entry is only cleared (zap_nonpresent_ptes()): try_to_migrate_one() already dropped
     * its mapcount and reference; returns NO_PAGE then, there is nothing to put.
     */
    private int zapPte(int vpage) {
        int pfn = pte[vpage];
        pte[vpage] = -1;
        stats.mappedPages.decrement();
        if (isMigrationEntry(pfn)) {
            return Mm.NO_PAGE;
        }
        MemMap.INTS.setVolatile(guest.map.mapcountOrType, pfn, MemMap.MAPCOUNT_NONE);
        guest.vmstat.add(VmItem.NR_ANON_PAGES, -1);
        return pfn;
    }

    // ------------------------------------------------------------------ exit_mmap() / the OOM reaper

    /** mark_oom_victim(): the process gets no more work; its memory goes at its next exit or reap. */
    void markOomVictim() {
        oomVictim = true;
    }

    /** exit_mmap(): unmap and free every page and PTE page, release the anon_vma. Returns pages freed. */
    long exitMmap() {
        ptl.lock();
        try {
            return exitMmapLocked();
        } finally {
            ptl.unlock();
        }
    }

    /**
     * __oom_reap_task_mm() with mmap_read_trylock(): reaps the process unless someone is inside its
     * page table right now. Returns pages freed, or -1 when the ptl was busy.
     */
    long tryReap() {
        if (!ptl.tryLock()) {
            return -1;
        }
        try {
            return exitMmapLocked();
        } finally {
            ptl.unlock();
        }
    }

    private long exitMmapLocked() {
        if (exited) {
            return 0;
        }
        long freed = rss;
        while (rss > 0) {
            // rss first: should put_page() hit a BUG, what is left stays consistent for a later exit
            int pfn = zapPte(vpages[rss - 1]);
            rss--;
            if (pfn != Mm.NO_PAGE) {
                guest.putPage(pfn);
            }
        }
        for (int t = 0; t < pageTables.length; t++) {
            if (pageTables[t] >= 0) {
                pagetableFree(pageTables[t]);
                pageTables[t] = -1;
                freed++;
            }
        }
        stats.pageTablePages.add(-nrPtePages);
        nrPtePages = 0;
        exited = true;
        guest.handles.release(anonHandle);
        return freed;
    }

    // ------------------------------------------------------------------ checks and rmap

    /**
     * For mm:check, with the machine stopped: every mapped vpage's struct page says what this
     * process set up, and its content is what the process wrote last. Returns the mismatches;
     * reports at most {@code limit[0]} of them (and counts that down).
     */
    long verify(Consumer<String> problems, int[] limit) {
        if (dead()) {
            return 0; // a killed process's pages are no longer the process's to check
        }
        MemMap map = guest.map;
        long bad = 0;
        ptl.lock();
        try {
            for (int i = 0; i < rss; i++) {
                int vpage = vpages[i];
                int pfn = pte[vpage];
                String what = null;
                if (isMigrationEntry(pfn) && migrationEntryPfn(pfn) < map.nrPages) {
                    // a migration caught between its steps (it sleeps): the data is still in the old page
                    pfn = migrationEntryPfn(pfn);
                    long found = guest.content.read(pfn);
                    if (!map.testFlag(pfn, PageFlags.PG_locked)) {
                        what = "migration entry for a page nobody is migrating (not locked)";
                    } else if (found != expected[vpage]) {
                        what = String.format("content %016x under a migration entry, expected %016x", found,
                                expected[vpage]);
                    }
                } else if (pfn < 0 || pfn >= map.nrPages) {
                    what = "PTE points outside memory";
                } else if (pageTables[vpage / PTRS_PER_PTE] < 0) {
                    what = "mapped with no PTE page";
                } else if (map.refcount(pfn) <= 0) {
                    what = "page not allocated (refcount " + map.refcount(pfn) + ")";
                } else if (map.mapping[pfn] != mappingWord()) {
                    what = String.format("page->mapping %#x, not this anon_vma %#x", map.mapping[pfn], mappingWord());
                } else if (map.index[pfn] != vpage) {
                    what = String.format("page->index %#x, not %#x", map.index[pfn], vpage);
                } else if (map.mapcount(pfn) != 1) {
                    what = "mapcount " + map.mapcount(pfn) + ", not 1";
                } else if (!map.testFlag(pfn, PageFlags.PG_anon_exclusive)) {
                    what = "not PageAnonExclusive, though nothing here shares an anon page (no fork, no KSM)";
                } else if (!map.testFlag(pfn, PageFlags.PG_lru) && !guest.migrate.isolatedLru(pfn)) {
                    what = "not on the LRU (PG_lru clear) and not isolated for migration";
                } else {
                    long found = guest.content.read(pfn);
                    if (found != expected[vpage]) {
                        what = String.format("content %016x, expected %016x", found, expected[vpage]);
                    }
                }
                if (what != null) {
                    bad++;
                    if (limit[0] > 0) {
                        limit[0]--;
                        problems.accept(String.format("pid %d (%s) vaddr %#x pfn %#x: %s", pid, comm, vaddr(vpage),
                                pfn, what));
                    }
                }
            }
        } finally {
            ptl.unlock();
        }
        return bad;
    }

    /**
     * try_to_migrate_one() (mm/rmap.c, 6.18) for mm/migrate.c, with pfn locked by the migrator: replace
     * the PTE that maps pfn at vpage with a migration entry and drop the mapping (folio_remove_rmap_pte():
     * _mapcount and nr_anon_pages); the caller then drops the PTE's reference. On the way the cleared PTE's
     * dirty bit goes to the folio (folio_mark_dirty(): every PTE here is dirty, do_anonymous_page() made it
     * so and nothing cleans one), and folio_try_share_anon_rmap_pte() clears PG_anon_exclusive (no GUP pin
     * can refuse it here): the exclusivity travels in the writable migration entry. Takes the ptl: call it
     * with no zone lock or lru_lock held. Returns false if vpage does not map pfn (unmapped, or the
     * process exited).
     */
    boolean tryToMigrate(int vpage, int pfn) {
        ptl.lock();
        try {
            if (exited || vpage < 0 || vpage >= nrVpages || pte[vpage] != pfn) {
                return false;
            }
            guest.map.setFlag(pfn, PageFlags.PG_dirty);
            guest.map.clearFlag(pfn, PageFlags.PG_anon_exclusive);
            pte[vpage] = migrationEntry(pfn);
            MemMap.INTS.setVolatile(guest.map.mapcountOrType, pfn, MemMap.MAPCOUNT_NONE);
            guest.vmstat.add(VmItem.NR_ANON_PAGES, -1);
            return true;
        } finally {
            ptl.unlock();
        }
    }

    /**
     * remove_migration_pte(): where the migration entry for oldPfn still is, map newPfn (oldPfn again
     * when migration failed): folio_get(), folio_add_anon_rmap_pte() with RMAP_EXCLUSIVE (the entry was
     * writable), which sets PG_anon_exclusive, and set_pte_at() of a PTE that is dirty again (the folio is
     * dirty and so was the entry). Returns false if the entry is gone (the process unmapped the page or
     * exited meanwhile): then nothing is mapped.
     */
    boolean removeMigrationPte(int vpage, int oldPfn, int newPfn) {
        ptl.lock();
        try {
            if (exited || vpage < 0 || vpage >= nrVpages || pte[vpage] != migrationEntry(oldPfn)) {
                return false;
            }
            guest.map.refAdd(newPfn, 1);
            MemMap.INTS.setVolatile(guest.map.mapcountOrType, newPfn, 0);
            guest.map.setFlag(newPfn, PageFlags.PG_anon_exclusive);
            guest.vmstat.inc(VmItem.NR_ANON_PAGES);
            pte[vpage] = newPfn;
            return true;
        } finally {
            ptl.unlock();
        }
    }
}
