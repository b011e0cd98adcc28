package org.mmlab.mm.internal;

import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;

/**
 * Models struct per_cpu_pages (include/linux/mmzone.h, v6.18): one CPU's cache of free pages of one
 * zone, a list per (order, migratetype) for orders up to PAGE_ALLOC_COSTLY_ORDER (v5.13; the kernel's two
 * THP lists need CONFIG_TRANSPARENT_HUGEPAGE, which the lab has not). Its pages are free but not PageBuddy,
 * not in nr_free nor NR_FREE_PAGES; each is linked by page->pcp_list (the lab's list links), its order is
 * its list's. The rules of pcp->lock, which guards every field but the limits:
 * <ol>
 * <li>the owning CPU's allocation and free take it with pcp_spin_trylock() (v6.0) and pinned to the CPU:
 *     only a parallel drain can hold it then (or an interrupt, which the lab has not), and they go to the
 *     buddy allocator instead. Another task of the same CPU cannot hold it, since its holder runs with
 *     preemption off: two lab threads on one CPU therefore take turns, the second waiting for the first.
 *     A spinlock is not recursive: its own holder's try fails;
 * <li>a drain takes it for real (spin_lock(), v5.19's remote drain), then zone->lock inside it;
 * <li>a task the race lab holds at a point while it holds the lock (page reporting's notify in
 *     __free_one_page(), under free_pcppages_bulk()) makes the others wait, parked as on zone->lock,
 *     where the lab's scheduler sees them blocked.
 * </ol>
 */
final class PerCpuPages {
    /** NR_LOWORDER_PCP_LISTS: MIGRATE_PCPTYPES lists for each order 0..PAGE_ALLOC_COSTLY_ORDER. */
    static final int NR_PCP_LISTS = MigrateType.PCPTYPES * (Mm.PAGE_ALLOC_COSTLY_ORDER + 1);
    /** PCPF_PREV_FREE_HIGH_ORDER (v6.7): the previous free on this pcp was of a high order. */
    static final int PCPF_PREV_FREE_HIGH_ORDER = 1;
    /** PCPF_FREE_HIGH_BATCH (v6.7): keep pcp->batch pages when freeing high-order pages in bulk. */
    static final int PCPF_FREE_HIGH_BATCH = 1 << 1;
    final int cpu;
    /** pcp->lock. */
    private final DepMapLock lock;
    /** A drain holds pcp->lock: the owning CPU's try fails instead of waiting. */
    private volatile boolean drainHolds;
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
        this.lock = new DepMapLock(lockdep, "&pcp->lock");
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

    /** pcp_spin_trylock() on the owning CPU (rule i): false only while a drain holds it, or for its holder. */
    boolean spinTrylock() {
        if (lock.isHeldByCurrentThread()) {
            return false;
        }
        if (lock.tryLock()) {
            return true;
        }
        if (drainHolds) {
            return false;
        }
        lock.lock(); // another task of this CPU inside: it would have run to the end before this one ran
        return true;
    }

    void spinUnlock() {
        lock.unlock();
    }

    /** spin_lock(&pcp->lock) by a drain (rule ii). */
    void drainLock() {
        lock.lock();
        drainHolds = true;
    }

    void drainUnlock() {
        drainHolds = false;
        lock.unlock();
    }

    /** pageset_update() (v6.7): WRITE_ONCE() of the limits, read by the owner without the lock. */
    void pagesetUpdate(int newHighMin, int newHighMax, int newBatch) {
        batch = newBatch;
        highMin = newHighMin;
        highMax = newHighMax;
    }
}
