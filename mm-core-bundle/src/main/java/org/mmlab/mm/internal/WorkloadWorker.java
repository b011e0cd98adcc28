package org.mmlab.mm.internal;

import java.util.Random;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageType;

/**
 * Models one CPU of the guest running the workload: it picks one of its own tasks and one thing
 * for it to do with a seeded Random, so a one-thread run replays exactly from its seed. The mix
 * fragments memory the way a real guest's does: processes grow and shrink towards targets that
 * change, at different rates, unmap pages in random order, exit after random lifetimes and are
 * replaced; and the kernel's own unmovable allocations (slab pages of order 0, sometimes 1-3)
 * come and go between them with random lifetimes. Those claim Unmovable pageblocks wherever a
 * free one is, and the long-lived ones pin them; once memory is tight and no free pageblock is
 * left, they are stolen page by page from Movable pageblocks, as mobility grouping allows.
 */
final class WorkloadWorker implements Runnable {
    /** Per mille of operations that are kernel (slab) allocations or frees. */
    static final int KERNEL_OP_PERMILLE = 30;
    /** slab's first try for a higher-order slab: no retry, no warning; it falls back to order 0. */
    static final int GFP_SLAB_HIGH_ORDER = Gfp.GFP_KERNEL | Gfp.__GFP_COMP | Gfp.__GFP_NOWARN | Gfp.__GFP_NORETRY;

    private static final int FAULT = 0;
    private static final int WRITE = 1;
    private static final int READ = 2;
    private static final int UNMAP = 3;

    /** current: the process a worker runs a fault for, so an OOM report names the task that faulted. */
    private static final ThreadLocal<WorkloadProcess> CURRENT = new ThreadLocal<>();

    final int id;
    private final Workload.Run run;
    private final GuestMemory guest;
    private final Random rnd;
    /** The process slots this CPU runs: slot s belongs to worker s % threads. */
    private final int[] owned;
    /** Operations this worker runs before it stops by itself; 0 = until told to stop. */
    private final long budget;
    private long done;

    // The slab pages this CPU allocated and has not freed yet: head PFN and order.
    private final int[] slabPfn;
    private final byte[] slabOrder;
    private int nrSlabs;
    /** How many slab pages this CPU's caches are growing or shrinking towards. */
    private int slabTarget;

    WorkloadWorker(Workload.Run run, int id, int threads, long budget) {
        this(run, id, threads, budget, (int) Math.min(1 << 20, Math.max(4, run.settings.workingSet() / 16 / threads)));
    }

    /** With room for slabCapacity slab pages (mm:workload fragment knows how many it will hold). */
    WorkloadWorker(Workload.Run run, int id, int threads, long budget, int slabCapacity) {
        this.run = run;
        this.guest = run.guest;
        this.id = id;
        this.budget = budget;
        // worker 0 of every run uses the seed itself, so step() and a one-thread run are the same stream
        this.rnd = new Random(run.settings.seed() + id * 0x9E3779B97F4A7C15L);
        int n = run.settings.processes();
        owned = new int[(n - id + threads - 1) / threads];
        for (int i = 0; i < owned.length; i++) {
            owned[i] = id + i * threads;
        }
        slabPfn = new int[slabCapacity];
        slabOrder = new byte[slabCapacity];
        slabTarget = pickSlabTarget();
    }

    /** The kernel's slab footprint wanders too: caches grow in bursts and shrink back. */
    private int pickSlabTarget() {
        return slabPfn.length / 8 + rnd.nextInt(slabPfn.length - slabPfn.length / 8 + 1);
    }

    @Override
    public void run() {
        try {
            while (!run.stopping && (budget == 0 || done < budget)) {
                op();
                done++;
            }
        } catch (RuntimeException | Error e) {
            // the task died (a KernelBug is what BUG() does to it); the others go on
            run.failed(Thread.currentThread().getName() + ": " + e);
            guest.dmesg.warn(String.format("mmlab-workload: %s died: %s", Thread.currentThread().getName(), e), e);
        }
    }

    /** The process the calling thread is faulting for, or null when it runs kernel code. */
    static WorkloadProcess current() {
        return CURRENT.get();
    }

    /** One operation, inside the stop_machine read section so that mm:check sees it whole or not at all. */
    void op() {
        guest.stopMachine.enter();
        try {
            doOp();
        } finally {
            guest.stopMachine.exit();
        }
        run.stats.ops.increment();
    }

    private void doOp() {
        if (owned.length == 0 || rnd.nextInt(1000) < KERNEL_OP_PERMILLE) {
            slabOp();
            return;
        }
        int slot = pickSlot();
        WorkloadProcess p = run.slots.get(slot);
        if (p == null) {
            spawn(slot);
            return;
        }
        if (p.dead()) {
            // an OOM victim: its owner finishes the exit (the reaper may have freed everything already)
            p.exitMmap();
            run.slots.compareAndSet(slot, p, null);
            return;
        }
        if (--p.opsLeft < 0) {
            p.exitMmap();
            run.slots.compareAndSet(slot, p, null);
            run.stats.exits.increment();
            return;
        }
        if (rnd.nextInt(512) == 0) {
            p.target = p.pickTarget(rnd); // a phase change: grow or shrink towards somewhere else
        }
        int kind = pickKind(p.rss(), p.target, rnd.nextInt(100));
        switch (kind) {
            case FAULT:
                CURRENT.set(p);
                try {
                    p.fault(rnd);
                } finally {
                    CURRENT.remove();
                }
                break;
            case WRITE:
                p.write(rnd);
                break;
            case READ:
                p.read(rnd);
                break;
            default:
                p.unmap(rnd);
                break;
        }
    }

    /** Growing processes mostly fault, shrinking ones mostly unmap, settled ones mostly read and write. */
    private static int pickKind(int rss, int target, int c) {
        if (rss < target) {
            return c < 60 ? FAULT : c < 75 ? WRITE : c < 95 ? READ : UNMAP;
        }
        if (rss > target) {
            return c < 60 ? UNMAP : c < 75 ? WRITE : c < 95 ? READ : FAULT;
        }
        return c < 5 ? FAULT : c < 10 ? UNMAP : c < 50 ? WRITE : READ;
    }

    /** A random owned slot, busier processes more often (an empty slot is picked at once, to respawn). */
    private int pickSlot() {
        while (true) {
            int slot = owned[rnd.nextInt(owned.length)];
            WorkloadProcess p = run.slots.get(slot);
            if (p == null || rnd.nextInt(8) < p.activity) {
                return slot;
            }
        }
    }

    /** fork()+exec(): a new process in an empty slot, named after the slot. */
    private void spawn(int slot) {
        WorkloadProcess p = new WorkloadProcess(guest, run.stats, run.nextPid.getAndIncrement(), "proc-" + slot,
                run.settings.pagesPerProcess(), rnd);
        run.slots.set(slot, p);
        run.stats.spawns.increment();
    }

    // ------------------------------------------------------------------ slab-like kernel allocations

    /** Allocate a slab page (new_slab()) or free a random one (discard_slab()): random lifetimes. */
    private void slabOp() {
        if (rnd.nextInt(256) == 0) {
            slabTarget = pickSlabTarget();
        }
        boolean grow = rnd.nextInt(100) < (nrSlabs < slabTarget ? 75 : 25);
        if (nrSlabs < slabPfn.length && (nrSlabs == 0 || grow)) {
            int order = rnd.nextInt(8) == 0 ? 1 + rnd.nextInt(3) : 0;
            int pfn = Mm.NO_PAGE;
            if (order > 0) {
                pfn = guest.allocPages(GFP_SLAB_HIGH_ORDER, order);
            }
            if (pfn == Mm.NO_PAGE) {
                order = 0;
                pfn = guest.allocPages(Gfp.GFP_KERNEL, 0);
            }
            if (pfn == Mm.NO_PAGE) {
                run.stats.allocFailures.increment();
                return;
            }
            newSlab(pfn, order);
        } else if (nrSlabs > 0) {
            int i = rnd.nextInt(nrSlabs);
            freeSlab(slabPfn[i], slabOrder[i]);
            nrSlabs--;
            slabPfn[i] = slabPfn[nrSlabs];
            slabOrder[i] = slabOrder[nrSlabs];
            run.stats.kernelFrees.increment();
        }
    }

    /**
     * allocate_slab() (mm/slub.c, 6.18) on a page just allocated: __folio_set_slab() and account_slab(),
     * which counts it in NR_SLAB_UNRECLAIMABLE_B (these are kmalloc-like caches, not SLAB_RECLAIM_ACCOUNT
     * ones); and this CPU's record of it until it is freed.
     */
    private void newSlab(int pfn, int order) {
        guest.map.setType(pfn, PageType.SLAB);
        guest.vmstat.add(VmItem.NR_SLAB_UNRECLAIMABLE_B, (long) Mm.PAGE_SIZE << order);
        slabPfn[nrSlabs] = pfn;
        slabOrder[nrSlabs] = (byte) order;
        nrSlabs++;
        run.stats.kernelPages.add(1L << order);
        run.stats.kernelAllocs.increment();
    }

    /**
     * One order-0 slab page for mm:workload fragment, allocated with gfp on the caller's thread and
     * kept until stop(). Returns its PFN, or NO_PAGE when the allocation failed (not counted as a
     * workload failure: the caller decides) or this CPU's slab record is full.
     */
    int allocSlabPage(int gfp) {
        if (slabFull()) {
            return Mm.NO_PAGE;
        }
        int pfn = guest.allocPages(gfp, 0);
        if (pfn != Mm.NO_PAGE) {
            newSlab(pfn, 0);
        }
        return pfn;
    }

    boolean slabFull() {
        return nrSlabs == slabPfn.length;
    }

    /** __free_slab(): __folio_clear_slab(), unaccount_slab(), and the pages go back. */
    private void freeSlab(int pfn, int order) {
        guest.map.clearType(pfn);
        guest.vmstat.add(VmItem.NR_SLAB_UNRECLAIMABLE_B, -((long) Mm.PAGE_SIZE << order));
        guest.freePages(pfn, order);
        run.stats.kernelPages.add(-(1L << order));
    }

    /** At stop: every slab page back. Called with the worker stopped. */
    void freeSlabs() {
        while (nrSlabs > 0) {
            nrSlabs--;
            freeSlab(slabPfn[nrSlabs], slabOrder[nrSlabs]);
        }
    }
}
