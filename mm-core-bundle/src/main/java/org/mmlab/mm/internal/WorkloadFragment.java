package org.mmlab.mm.internal;

import java.util.Random;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.FragmentResult;
import org.mmlab.mm.admin.Fragmentation;

/**
 * mm:workload fragment: replays, in seconds and on the caller's thread, the history that leaves a
 * long-running guest's memory fragmented (no kernel counterpart: it drives do_anonymous_page(),
 * zap_pte_range() and the slab's new_slab() through the real allocator). Many free pages, few free
 * 2 MiB blocks:
 * <ol>
 * <li>fill: the processes fault in random pages of their address spaces, interleaved, until free
 *     memory is down to the watermarks (totalreserve_pages plus a little), so that every pageblock
 *     holds pages of many processes; their page tables claim a few Unmovable pageblocks on the way;</li>
 * <li>tight: while memory stays that tight, the kernel allocates slab pages, one for each user page
 *     unmapped. They first claim the last free pageblocks (ALLOC_NOFRAGMENT steals whole blocks while
 *     there are any), then, with no free pageblock left, fall back page by page into Movable
 *     pageblocks (__rmqueue_fallback() without a claim) wherever a process left a hole: the scatter
 *     of unmovable pages a long uptime leaves. This goes on until one slab page has landed in a
 *     Movable pageblock for every {@value #PAGEBLOCKS_PER_SCATTERED_SLAB} pageblocks of memory;</li>
 * <li>free: the processes unmap random pages, scattered over all memory, until at least
 *     {@value #FREE_GOAL_PERCENT}% of managed memory is free and the share of free pages in free
 *     blocks of order &gt;= 9 is below the target; it stops at {@value #FREE_MAX_PERCENT}% free
 *     whether or not the target was reached, and says so.</li>
 * </ol>
 * Deterministic for a seed on a guest in the same state: one thread, one java.util.Random, and the
 * machine stopped throughout (nothing else, kcompactd included, touches memory meanwhile). The
 * processes stay alive with their pages mapped and their slab pages held; the workload is left
 * prepared, not running.
 */
public final class WorkloadFragment {
    /** Phase 2 ends when this many pageblocks per slab page have one in a Movable pageblock. */
    static final int PAGEBLOCKS_PER_SCATTERED_SLAB = 8;
    /** Phase 3 frees until this share of managed memory is free (and the target is met). */
    static final int FREE_GOAL_PERCENT = 50;
    /** ... and never past this share. */
    static final int FREE_MAX_PERCENT = 60;
    /** Address spaces are this much larger than a process's share of free memory (percent), so no process fills up. */
    static final int ADDRESS_SPACE_HEADROOM_PERCENT = 125;
    /**
     * The slab's page allocations in phase 2: GFP_KERNEL, unmovable, failing quietly instead of
     * invoking the OOM killer on the processes being set up (the phase unmaps a page and retries).
     */
    static final int GFP_SLAB_TIGHT = Gfp.GFP_KERNEL | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN;

    private final Workload.Run run;
    private final GuestMemory guest;
    private final WorkloadWorker kernel;
    private final Random rnd;
    private final WorkloadProcess[] procs;
    private long mapped;
    private long faulted;
    private long unmapped;

    private WorkloadFragment(Workload.Run run, WorkloadWorker kernel) {
        this.run = run;
        this.guest = run.guest;
        this.kernel = kernel;
        this.rnd = new Random(run.settings.seed());
        this.procs = new WorkloadProcess[run.settings.processes()];
    }

    /** A process's page table, expected tags and vpage permutation: an int, a long and an int per vpage. */
    static final int HEAP_BYTES_PER_VPAGE = 16;

    /** Validates a target percentage: more than 0, at most 100. */
    static void checkTarget(double targetPercent) {
        if (!(targetPercent > 0 && targetPercent <= 100)) {
            throw new IllegalArgumentException("target=" + targetPercent + ": must be more than 0 and at most 100 (a"
                    + " percentage of the free pages)");
        }
    }

    /**
     * Runs the three phases on a new, published run whose worker 0 holds the slab pages. The caller
     * has stopped the machine and is inside it (its allocations nest).
     */
    static FragmentResult fragment(Workload.Run run, WorkloadWorker kernel, double targetPercent, long startNanos) {
        return new WorkloadFragment(run, kernel).fragment(targetPercent, startNanos);
    }

    private FragmentResult fragment(double targetPercent, long startNanos) {
        Workload.Stats stats = run.stats;
        for (int slot = 0; slot < procs.length; slot++) {
            procs[slot] = new WorkloadProcess(guest, stats, run.nextPid.getAndIncrement(), "proc-" + slot,
                    run.settings.pagesPerProcess(), rnd);
            run.slots.set(slot, procs[slot]);
            stats.spawns.increment();
        }

        // 1. fill, down to the watermarks
        long stopAt = fillStop(guest);
        while (guest.freePages() > stopAt) {
            if (!faultRandom()) {
                break;
            }
        }
        long peak = mapped;

        // 2. kernel allocations while memory is tight: each one in the room a process just made
        int scatterGoal = scatterGoal(guest);
        long slab = 0;
        long scattered = 0;
        long tries = 4 * (guest.freePages() + scatterGoal) + 1024;
        for (long i = 0; i < tries && scattered < scatterGoal && !kernel.slabFull(); i++) {
            if (!unmapRandom()) {
                break;
            }
            int pfn = kernel.allocSlabPage(GFP_SLAB_TIGHT);
            if (pfn == Mm.NO_PAGE) {
                continue; // failed quietly: make more room and try again
            }
            slab++;
            if (guest.map.pageblockMigratetype(pfn) == MigrateType.MOVABLE) {
                scattered++;
            }
        }

        // 3. scattered frees until half of memory is free and the share is below the target
        long managed = guest.managedPages();
        long goal = managed * FREE_GOAL_PERCENT / 100;
        long max = managed * FREE_MAX_PERCENT / 100;
        double target = targetPercent / 100;
        while (guest.freePages() < max) {
            if (guest.freePages() >= goal && order9Share() < target) {
                break;
            }
            if (!unmapRandom()) {
                break;
            }
        }

        // left prepared: settled at their current size, should anyone step() them
        for (WorkloadProcess p : procs) {
            p.target = p.rss();
        }
        Fragmentation shares = FragmentationShares.measureStopped(guest);
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        return new FragmentResult(run.settings.seed(), procs.length, run.settings.pagesPerProcess(), targetPercent, faulted,
                peak, unmapped, slab, scattered, mapped, stats.pageTablePages.sum(), managed, guest.freePages(), shares,
                shares.order9Share() < target, millis);
    }

    /** Phase 1 stops faulting at this many free pages: the watermarks and lowmem reserves, and a little more. */
    static long fillStop(GuestMemory g) {
        return PageAllocWatermarks.totalReservePages(g.zones) + Math.max(64, g.managedPages() / 1024);
    }

    /** Phase 2 ends when this many slab pages have fallen back into Movable pageblocks. */
    static int scatterGoal(GuestMemory g) {
        int nrPageblocks = (g.nrPages() + Mm.PAGEBLOCK_NR_PAGES - 1) >> Mm.PAGEBLOCK_ORDER;
        return Math.max(1, nrPageblocks / PAGEBLOCKS_PER_SCATTERED_SLAB);
    }

    /**
     * Room for phase 2's slab pages: it allocates about as many as were free when it began (the
     * claimed last pageblocks) plus the scattered ones; twice that, so that only a runaway ends it.
     */
    static int slabCapacity(GuestMemory g) {
        return (int) Math.min(1 << 24, 2 * (fillStop(g) + scatterGoal(g)) + 1024);
    }

    /** A write fault on a random unmapped page of a random process that still has one; false if none has. */
    private boolean faultRandom() {
        for (int attempts = 0; attempts < 4 * procs.length; attempts++) {
            int rc = procs[rnd.nextInt(procs.length)].fault(rnd);
            if (rc == WorkloadProcess.DONE) {
                mapped++;
                faulted++;
                return true;
            }
            if (rc != WorkloadProcess.NOTHING) {
                return false; // NOMEM or KILLED: the fill went past what the allocator could give
            }
        }
        return false;
    }

    /** zap_pte_range() of one random mapped page of a random process that has one; false if none has. */
    private boolean unmapRandom() {
        while (mapped > 0) {
            for (int attempts = 0; attempts < 64 * procs.length; attempts++) {
                if (procs[rnd.nextInt(procs.length)].unmap(rnd) == WorkloadProcess.DONE) {
                    mapped--;
                    unmapped++;
                    return true;
                }
            }
            // only a few processes still map anything (or one was killed): count again
            mapped = 0;
            for (WorkloadProcess p : procs) {
                mapped += p.dead() ? 0 : p.rss();
            }
        }
        return false;
    }

    /** Share (a) from free_area[].nr_free, as /proc/buddyinfo has it: cheap enough to ask after every unmap. */
    private double order9Share() {
        long free = 0;
        long high = 0;
        for (Zone z : guest.zones) {
            for (int o = 0; o < Mm.NR_PAGE_ORDERS; o++) {
                long pages = z.nrFree[o] << o;
                free += pages;
                if (o >= Mm.PAGEBLOCK_ORDER) {
                    high += pages;
                }
            }
        }
        return free == 0 ? 0 : (double) high / free;
    }
}
