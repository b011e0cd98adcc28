package org.mmlab.mm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;

/**
 * Models struct per_cpu_pages (include/linux/mmzone.h, v6.18): one CPU's cache of free pages of one
 * zone, a list per (order, migratetype) for orders up to PAGE_ALLOC_COSTLY_ORDER (v5.13; the kernel's two
 * THP lists need CONFIG_TRANSPARENT_HUGEPAGE, which the lab has not). Its pages are free but not PageBuddy,
 * not in nr_free nor NR_FREE_PAGES; each is linked by page->pcp_list (the lab's list links), its order is
 * its list's. The rules of pcp->lock, the spinlock every field but the limits is under:
 * <ol>
 * <li>the owning CPU's allocation and free only try it (pcp_spin_trylock(), v6.0), and go to the buddy
 *     allocator when it is taken (a drain, or another task on that CPU);
 * <li>a drain takes it for real (spin_lock(), v5.19's remote drain), and then zone->lock inside it;
 * <li>nothing sleeps or stops at a lab point while holding it, so a task paused by the race lab's
 *     scheduler never holds it, and a drain's spin always ends.
 * </ol>
 */
final class PerCpuPages {
    /** NR_LOWORDER_PCP_LISTS: MIGRATE_PCPTYPES lists for each order 0..PAGE_ALLOC_COSTLY_ORDER. */
    static final int NR_PCP_LISTS = MigrateType.PCPTYPES * (Mm.PAGE_ALLOC_COSTLY_ORDER + 1);
    /** PCPF_PREV_FREE_HIGH_ORDER (v6.7): the previous free on this pcp was of a high order. */
    static final int PCPF_PREV_FREE_HIGH_ORDER = 1;
    /** PCPF_FREE_HIGH_BATCH (v6.7): keep pcp->batch pages when freeing high-order pages in bulk. */
    static final int PCPF_FREE_HIGH_BATCH = 1 << 1;
    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(PerCpuPages.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int cpu;
    private final Lockdep lockdep;
    private final Lockdep.LockClass lockClass;
    /** pcp->lock: 1 while held. */
    @SuppressWarnings("unused")
    private volatile int lock;
    /** count: pages on the lists (an order-n entry counts 2^n). */
    int count;
    /** high, high_min, high_max (v6.7's auto-tuned high) and batch; the limits are written by pageset_update(). */
    int high;
    volatile int highMin;
    volatile int highMax;
    volatile int batch;
    /** flags (PCPF_*), alloc_factor (v6.7: batch scaling on consecutive allocations), free_count (v6.7). */
    int flags;
    int allocFactor;
    int freeCount;
    /** lists[NR_PCP_LISTS]: list head ids in the memmap. */
    final int[] lists = new int[NR_PCP_LISTS];

    /** per_cpu_pages_init(): empty lists and the boot pageset's limits (BOOT_PAGESET_HIGH 0, BATCH 1). */
    PerCpuPages(MemMap map, int cpu, Lockdep lockdep) {
        this.cpu = cpu;
        this.lockdep = lockdep;
        this.lockClass = lockdep.lockClass("&pcp->lock");
        for (int i = 0; i < NR_PCP_LISTS; i++) {
            lists[i] = map.allocListHead();
        }
        this.batch = 1;
    }

    /** order_to_pindex() (v5.13). */
    static int orderToPindex(int migratetype, int order) {
        return MigrateType.PCPTYPES * order + migratetype;
    }

    /** pindex_to_order() (v5.13). */
    static int pindexToOrder(int pindex) {
        return pindex / MigrateType.PCPTYPES;
    }

    /** spin_trylock(&pcp->lock): lockdep hears of it only when it was taken. */
    boolean spinTrylock() {
        if (!LOCK.compareAndSet(this, 0, 1)) {
            return false;
        }
        if (lockdep.on) {
            lockdep.acquire(lockClass, true);
        }
        return true;
    }

    /** spin_lock(&pcp->lock): its holder neither sleeps nor stops at a lab point (rule iii), so the spin ends. */
    void spinLock() {
        if (lockdep.on) {
            lockdep.acquire(lockClass, false);
        }
        while (!LOCK.compareAndSet(this, 0, 1)) {
            Thread.onSpinWait();
        }
    }

    void spinUnlock() {
        if (lockdep.on) {
            lockdep.release(lockClass);
        }
        LOCK.setRelease(this, 0);
    }

    /** pageset_update() (v6.7): WRITE_ONCE() of the limits, read by the owner without the lock. */
    void pagesetUpdate(int newHighMin, int newHighMax, int newBatch) {
        batch = newBatch;
        highMin = newHighMin;
        highMax = newHighMax;
    }
}
