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
 * <li>the owning CPU's allocation and free only try it (pcp_spin_trylock(), v6.0), and go to the buddy
 *     allocator when it is taken (by a drain, or by another task on that CPU, as an interrupt finds it);
 *     a spinlock is not recursive, so a task that holds it fails its own try too;
 * <li>a drain takes it for real (spin_lock(), v5.19's remote drain), then zone->lock inside it;
 * <li>a task the race lab holds at a point inside it (page reporting's notify in __free_one_page(),
 *     under free_pcppages_bulk()) makes a drain wait as the kernel's would, parked, so that the lab's
 *     scheduler sees the drain blocked, as on zone->lock; allocations and frees never wait for it.
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

    /** spin_trylock(&pcp->lock): fails when anyone holds it, its own holder included (rule i). */
    boolean spinTrylock() {
        return !lock.isHeldByCurrentThread() && lock.tryLock();
    }

    /** spin_lock(&pcp->lock) (rule ii). */
    void spinLock() {
        lock.lock();
    }

    void spinUnlock() {
        lock.unlock();
    }

    /** pageset_update() (v6.7): WRITE_ONCE() of the limits, read by the owner without the lock. */
    void pagesetUpdate(int newHighMin, int newHighMax, int newBatch) {
        batch = newBatch;
        highMin = newHighMin;
        highMax = newHighMax;
    }
}
