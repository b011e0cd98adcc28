package org.mmlab.mm.internal;

import java.util.concurrent.locks.ReentrantLock;

import org.mmlab.mm.MigrateType;
import org.mmlab.mm.Mm;

/**
 * Models the per-cpu pagesets of mm/page_alloc.c (v6.18): order-0 and low-order pages come from and go to
 * the allocating CPU's {@link PerCpuPages}, which takes them from the buddy allocator and gives them back
 * in batches, under one zone->lock hold each (rmqueue_bulk(), free_pcppages_bulk()).
 *
 * <p>A CPU is {@link #smpProcessorId()}: Java threads have none, so each thread has a fixed one, a hash of
 * its name modulo nr_cpu_ids. A name, not a thread id, so that the race lab's threads, new each run but
 * named alike, land on the same CPUs in every replay; with the default of one CPU every thread shares it,
 * and which PFN an allocation returns depends on the order of the calls alone. Two threads on one CPU take
 * turns at its pcp->lock, as two tasks of one CPU do (the holder runs with preemption off); only a drain
 * makes the owner's try fail and use the buddy allocator (PerCpuPages).
 *
 * <p>Not modelled: decay_pcp_high() (vmstat_update's decay of pcp->high every second: there is no vmstat
 * worker), ZONE_RECLAIM_ACTIVE (no kswapd reclaim), CPU hotplug and NUMA's remote-pageset expiry.
 */
final class PageAllocPcp {
    /** CONFIG_PCP_BATCH_SCALE_MAX (v6.7, default 5). */
    static final int CONFIG_PCP_BATCH_SCALE_MAX = 5;
    /** MIN_PERCPU_PAGELIST_HIGH_FRACTION (v5.14): the smallest vm.percpu_pagelist_high_fraction but 0. */
    static final int MIN_PERCPU_PAGELIST_HIGH_FRACTION = 8;
    /** ZONE_BELOW_HIGH (v6.7), a bit of zone->flags: the zone fell below its high watermark. */
    static final int ZONE_BELOW_HIGH = 1 << 8;

    private final PageAlloc alloc;
    final int nrCpuIds;
    /** vm.percpu_pagelist_high_fraction (v5.14): 0 sizes pcp->high from the low watermark. */
    private volatile int percpuPagelistHighFraction;
    /** pcpu_drain_mutex: one drain_all_pages() at a time. */
    private final ReentrantLock pcpuDrainMutex = new ReentrantLock();
    /** pcp_batch_high_lock: held between zone_pcp_disable() and zone_pcp_enable(), and by updates of the limits. */
    private final ReentrantLock pcpBatchHighLock = new ReentrantLock();
    private final ThreadLocal<int[]> cpuOfThread;
    /** mm:debug pcp off: every zone's pagesets as zone_pcp_disable() leaves them, until switched on. */
    private volatile boolean disabled;

    PageAllocPcp(PageAlloc alloc, int nrCpuIds) {
        this.alloc = alloc;
        this.nrCpuIds = nrCpuIds;
        this.cpuOfThread = ThreadLocal.withInitial(() -> new int[] {Math.floorMod(Thread.currentThread().getName()
                .hashCode(), nrCpuIds)});
    }

    /** smp_processor_id(): this thread's CPU (see the class comment). */
    int smpProcessorId() {
        return nrCpuIds == 1 ? 0 : cpuOfThread.get()[0];
    }

    /** pcp_allowed_order() (v5.13): orders up to PAGE_ALLOC_COSTLY_ORDER (no THP order in the lab). */
    static boolean pcpAllowedOrder(int order) {
        return order <= Mm.PAGE_ALLOC_COSTLY_ORDER;
    }

    // ------------------------------------------------------------------ set-up

    /** setup_zone_pageset() then zone_set_pageset_high_and_batch(), after the watermarks are set. */
    void setupZonePageset(Zone z, MemMap map, Lockdep lockdep) {
        z.perCpuPageset = new PerCpuPages[nrCpuIds];
        for (int cpu = 0; cpu < nrCpuIds; cpu++) {
            z.perCpuPageset[cpu] = new PerCpuPages(map, cpu, lockdep);
        }
        zoneSetPagesetHighAndBatch(z, 0);
    }

    /** zone_batchsize() (v2.6.16, /4 and 2^n - 1 since v2.6.20): about 0.1 % of the zone or 1 MiB, smaller. */
    static int zoneBatchsize(Zone z) {
        int batch = (int) Math.min(z.managedPages >> 10, (1 << 20) / Mm.PAGE_SIZE);
        batch /= 4;
        if (batch < 1) {
            batch = 1;
        }
        return Integer.highestOneBit(batch + batch / 2) - 1;
    }

    /** zone_highsize() (v5.14): the low watermark (or managed / fraction) split across the CPUs, at least batch * 4. */
    int zoneHighsize(Zone z, int batch, int cpuOnline, int highFraction) {
        long totalPages = highFraction == 0 ? z.watermark[Zone.WMARK_LOW] : z.managedPages / highFraction;
        // one node: cpumask_weight(cpumask_of_node()) is every CPU
        long high = totalPages / (nrCpuIds + cpuOnline);
        return (int) Math.max(high, (long) batch << 2);
    }

    /** zone_set_pageset_high_and_batch() (v6.7): a manual fraction fixes high; else high_min..high_max auto-tunes. */
    void zoneSetPagesetHighAndBatch(Zone z, int cpuOnline) {
        int newBatch = Math.max(1, zoneBatchsize(z));
        int fraction = percpuPagelistHighFraction;
        int newHighMin = zoneHighsize(z, newBatch, cpuOnline, fraction);
        int newHighMax = fraction != 0 ? newHighMin
                : zoneHighsize(z, newBatch, cpuOnline, MIN_PERCPU_PAGELIST_HIGH_FRACTION);
        z.pagesetHighMin = newHighMin;
        z.pagesetHighMax = newHighMax;
        z.pagesetBatch = newBatch;
        if (!disabled) {
            pagesetsBack(z);
        }
    }

    boolean enabled() {
        return !disabled;
    }

    /**
     * mm:debug pcp: off sets every zone's pagesets as zone_pcp_disable() does (high 0, batch 1: each free goes
     * through to the buddy allocator, each allocation takes one page) and drains them; on puts the limits back.
     */
    void setEnabled(boolean on) {
        pcpBatchHighLock.lock();
        try {
            disabled = !on;
            for (Zone z : alloc.zones) {
                if (on) {
                    pagesetsBack(z);
                } else {
                    pagesetsOff(z);
                }
            }
        } finally {
            pcpBatchHighLock.unlock();
        }
    }

    int percpuPagelistHighFraction() {
        return percpuPagelistHighFraction;
    }

    /** percpu_pagelist_high_fraction_sysctl_handler() (v5.14): 0 or at least 8; every zone's limits again. */
    void setPercpuPagelistHighFraction(int fraction) {
        if (fraction != 0 && fraction < MIN_PERCPU_PAGELIST_HIGH_FRACTION) {
            throw new IllegalArgumentException("vm.percpu_pagelist_high_fraction is 0 or at least "
                    + MIN_PERCPU_PAGELIST_HIGH_FRACTION + ", not " + fraction);
        }
        pcpBatchHighLock.lock();
        try {
            percpuPagelistHighFraction = fraction;
            for (Zone z : alloc.zones) {
                zoneSetPagesetHighAndBatch(z, 0);
            }
        } finally {
            pcpBatchHighLock.unlock();
        }
    }

    // ------------------------------------------------------------------ allocation

    /** rmqueue_pcplist() (v6.0's trylock): a page from this CPU's list, or NO_PAGE (lock taken, or no page). */
    int rmqueuePcplist(Zone z, int order, int mt, int allocFlags) {
        PerCpuPages pcp = z.perCpuPageset[smpProcessorId()];
        if (!pcp.spinTrylock()) {
            return Mm.NO_PAGE;
        }
        try {
            // on allocation, reduce the number of pages that are batch freed (v6.7)
            pcp.freeCount >>= 1;
            return rmqueuePcplistLocked(z, order, mt, allocFlags, pcp, pcp.lists[PerCpuPages.orderToPindex(mt, order)]);
        } finally {
            pcp.spinUnlock();
        }
    }

    /** __rmqueue_pcplist(): refill an empty list with rmqueue_bulk(), then take its first page. */
    private int rmqueuePcplistLocked(Zone z, int order, int mt, int allocFlags, PerCpuPages pcp, int list) {
        PageLists lists = alloc.lists;
        if (lists.isEmpty(list)) {
            int batch = nrPcpAlloc(pcp, z, order);
            int alloced = rmqueueBulk(z, order, batch, list, mt, allocFlags);
            pcp.count += alloced << order;
            if (lists.isEmpty(list)) {
                return Mm.NO_PAGE;
            }
        }
        int pfn = lists.first(list);
        pcpListDel(pfn);
        pcp.count -= 1 << order;
        return pfn;
    }

    /** nr_pcp_alloc() (v6.7): batch, doubled on each refill without a free between, within high. */
    private static int nrPcpAlloc(PerCpuPages pcp, Zone z, int order) {
        int baseBatch = pcp.batch;
        int highMin = pcp.highMin;
        int highMax = pcp.highMax;
        int high = pcp.high = clamp(pcp.high, highMin, highMax);
        // PCP disabled (zone_pcp_disable()) or the boot pageset
        if (high < baseBatch) {
            return 1;
        }
        int batch = order != 0 ? baseBatch : baseBatch << pcp.allocFactor;
        // a larger pcp->high could have avoided going to the zone
        if (highMin != highMax && (z.flags.get() & ZONE_BELOW_HIGH) == 0) {
            high = pcp.high = Math.min(high + batch, highMax);
        }
        if (order == 0) {
            int maxNrAlloc = Math.max(high - pcp.count - baseBatch, baseBatch);
            if (batch <= maxNrAlloc && pcp.allocFactor < CONFIG_PCP_BATCH_SCALE_MAX) {
                pcp.allocFactor++;
            }
            batch = Math.min(batch, maxNrAlloc);
        }
        if (batch > 1) {
            batch = Math.max(batch >> order, 2);
        }
        return batch;
    }

    /** rmqueue_bulk(): count blocks from __rmqueue() under one zone->lock hold, at the list's tail (PFN order). */
    private int rmqueueBulk(Zone z, int order, int count, int list, int mt, int allocFlags) {
        z.lock.lock();
        try {
            int i = 0;
            for (; i < count; i++) {
                int pfn = alloc.rmqueueLocked(z, order, mt, allocFlags);
                if (pfn == Mm.NO_PAGE) {
                    break;
                }
                pcpListAdd(pfn, list, true);
            }
            return i;
        } finally {
            z.lock.unlock();
        }
    }

    // ------------------------------------------------------------------ freeing

    /**
     * __free_frozen_pages()'s pcp part (v6.18): a checked free block of a pcp order goes on this CPU's list;
     * false when pcp->lock was taken, and the caller gives it to the buddy allocator (free_one_page()).
     */
    boolean freeToPcp(Zone z, int pfn, int mt, int order) {
        PerCpuPages pcp = z.perCpuPageset[smpProcessorId()];
        if (!pcp.spinTrylock()) {
            return false;
        }
        try {
            freeFrozenPageCommit(z, pcp, pfn, mt, order);
        } finally {
            pcp.spinUnlock();
        }
        return true;
    }

    /**
     * free_unref_folios() (v6.10): order-0 pages free_pages_prepare() already checked, on a list at head,
     * each put on this CPU's pcp list under one pcp->lock hold; those that find it taken go to the buddy
     * allocator. The list is empty after.
     */
    void freeUnrefFolios(int head) {
        PageLists lists = alloc.lists;
        while (!lists.isEmpty(head)) {
            int pfn = lists.first(head);
            Zone z = alloc.zoneOf(pfn);
            PerCpuPages pcp = z.perCpuPageset[smpProcessorId()];
            boolean locked = pcp.spinTrylock();
            try {
                // a run of pages of the same zone under one hold
                while (!lists.isEmpty(head) && alloc.zoneOf(pfn = lists.first(head)) == z) {
                    pcpListDel(pfn);
                    int mt = alloc.map.pageblockMigratetype(pfn).ordinal();
                    if (!locked || mt == MigrateType.ISOLATE.ordinal()) {
                        alloc.freeOnePageZone(pfn, z, 0, 0);
                        continue;
                    }
                    freeFrozenPageCommit(z, pcp, pfn, mt >= MigrateType.PCPTYPES ? PageAlloc.MOVABLE : mt, 0);
                }
            } finally {
                if (locked) {
                    pcp.spinUnlock();
                }
            }
        }
    }

    /** free_frozen_page_commit() (v6.7): list_add() at the head (hot), then free_pcppages_bulk() at high. */
    private void freeFrozenPageCommit(Zone z, PerCpuPages pcp, int pfn, int mt, int order) {
        // on freeing, reduce the number of pages that are batch allocated
        pcp.allocFactor >>= 1;
        alloc.vmstat.add(VmItem.PGFREE, 1L << order);
        int pindex = PerCpuPages.orderToPindex(mt, order);
        pcpListAdd(pfn, pcp.lists[pindex], false);
        pcp.count += 1 << order;
        int batch = pcp.batch;
        // high-order pages other than THP's fragment memory: limit them when freeing without allocating
        boolean freeHigh = false;
        if (order > 0) {
            freeHigh = pcp.freeCount >= batch + pcp.highMin / 2 && (pcp.flags & PerCpuPages.PCPF_PREV_FREE_HIGH_ORDER) != 0
                    && ((pcp.flags & PerCpuPages.PCPF_FREE_HIGH_BATCH) == 0 || pcp.count >= batch);
            pcp.flags |= PerCpuPages.PCPF_PREV_FREE_HIGH_ORDER;
        } else {
            pcp.flags &= ~PerCpuPages.PCPF_PREV_FREE_HIGH_ORDER;
        }
        if (pcp.freeCount < batch << CONFIG_PCP_BATCH_SCALE_MAX) {
            pcp.freeCount += 1 << order;
        }
        int high = nrPcpHigh(pcp, z, batch, freeHigh);
        if (pcp.count < high) {
            return;
        }
        freePcppagesBulk(z, nrPcpFree(pcp, batch, high, freeHigh), pcp, pindex);
        if ((z.flags.get() & ZONE_BELOW_HIGH) != 0 && PageAllocWatermarks.zoneWatermarkOk(z, 0,
                z.watermark[Zone.WMARK_HIGH], alloc.zones.length - 1, 0, z.freePages)) {
            z.flags.getAndUpdate(f -> f & ~ZONE_BELOW_HIGH);
        }
    }

    /** nr_pcp_high() (v6.7): the high mark this free is measured against, auto-tuned between high_min and high_max. */
    private static int nrPcpHigh(PerCpuPages pcp, Zone z, int batch, boolean freeHigh) {
        int highMin = pcp.highMin;
        int highMax = pcp.highMax;
        int high = pcp.high = clamp(pcp.high, highMin, highMax);
        if (high == 0) {
            return 0;
        }
        if (freeHigh) {
            pcp.high = Math.max(high - (batch << CONFIG_PCP_BATCH_SCALE_MAX), highMin);
            return 0;
        }
        if (highMin == highMax) {
            return high;
        }
        if ((z.flags.get() & ZONE_BELOW_HIGH) != 0) {
            int freeCount = Math.max(pcp.freeCount, batch);
            pcp.high = Math.max(high - freeCount, highMin);
            high = Math.max(pcp.count, highMin);
        } else if (pcp.count >= high) {
            // pcp->high should be large enough to hold batch freed pages
            int needHigh = pcp.freeCount + batch;
            if (pcp.high < needHigh) {
                pcp.high = clamp(needHigh, highMin, highMax);
            }
        }
        return high;
    }

    /** nr_pcp_free() (v6.7): how many pages free_pcppages_bulk() gives back, at least batch left on the lists. */
    private static int nrPcpFree(PerCpuPages pcp, int batch, int high, boolean freeHigh) {
        if (freeHigh) {
            return Math.min(pcp.count, batch << CONFIG_PCP_BATCH_SCALE_MAX);
        }
        // PCP disabled or the boot pageset
        if (high < batch) {
            return 1;
        }
        // more than batch after consecutive frees, to take zone->lock less often
        return clamp(pcp.freeCount, batch, high - batch);
    }

    /**
     * free_pcppages_bulk(): count pages back to the buddy allocator under one zone->lock hold, the lists
     * taken round-robin from pindex, each from its tail (the coldest); the migratetype is the pageblock's
     * now (v6.9). Caller holds pcp->lock.
     */
    void freePcppagesBulk(Zone z, int count, PerCpuPages pcp, int pindex) {
        count = Math.min(pcp.count, count);
        pindex--;
        PageLists lists = alloc.lists;
        z.lock.lock();
        try {
            while (count > 0) {
                int list;
                do {
                    if (++pindex > PerCpuPages.NR_PCP_LISTS - 1) {
                        pindex = 0;
                    }
                    list = pcp.lists[pindex];
                } while (lists.isEmpty(list));
                int order = PerCpuPages.pindexToOrder(pindex);
                int nrPages = 1 << order;
                do {
                    int pfn = lists.last(list);
                    pcpListDel(pfn);
                    count -= nrPages;
                    pcp.count -= nrPages;
                    alloc.freeOnePage(pfn, z, order, alloc.map.pageblockMigratetype(pfn).ordinal(), 0);
                } while (count > 0 && !lists.isEmpty(list));
            }
        } finally {
            z.lock.unlock();
        }
    }

    private void pcpListAdd(int pfn, int list, boolean tail) {
        if (!(tail ? alloc.lists.addTail(pfn, list) : alloc.lists.add(pfn, list))) {
            throw new org.mmlab.mm.KernelBug("pcp list corrupt: could not add pfn " + Integer.toHexString(pfn));
        }
    }

    private void pcpListDel(int pfn) {
        if (!alloc.lists.del(pfn)) {
            throw new org.mmlab.mm.KernelBug("pcp list corrupt: could not delete pfn " + Integer.toHexString(pfn));
        }
    }

    // ------------------------------------------------------------------ draining

    /** drain_pages_zone(): empty one CPU's pageset of a zone, at most batch << 5 pages a lock hold. */
    void drainPagesZone(int cpu, Zone z) {
        PerCpuPages pcp = z.perCpuPageset[cpu];
        int count;
        do {
            pcp.drainLock();
            try {
                count = pcp.count;
                if (count > 0) {
                    int toDrain = Math.min(count, pcp.batch << CONFIG_PCP_BATCH_SCALE_MAX);
                    freePcppagesBulk(z, toDrain, pcp, 0);
                    count -= toDrain;
                }
            } finally {
                pcp.drainUnlock();
            }
        } while (count > 0);
    }

    /** drain_local_pages(): this CPU's pagesets, of one zone or (z null) of all. */
    void drainLocalPages(Zone z) {
        int cpu = smpProcessorId();
        if (z != null) {
            drainPagesZone(cpu, z);
        } else {
            for (Zone each : alloc.zones) {
                drainPagesZone(cpu, each);
            }
        }
    }

    /** drain_all_pages(): every CPU's pagesets with pages, of one zone or (z null) of all. */
    void drainAllPages(Zone z) {
        drainAllPages(z, false);
    }

    /**
     * __drain_all_pages(): the CPUs with pages (all of them when forced) drained remotely under their
     * pcp->lock (v5.19). One drain at a time; a drain of every zone gives up when another is under way.
     */
    private void drainAllPages(Zone z, boolean forceAllCpus) {
        if (!pcpuDrainMutex.tryLock()) {
            if (z == null) {
                return;
            }
            pcpuDrainMutex.lock();
        }
        try {
            for (int cpu = 0; cpu < nrCpuIds; cpu++) {
                for (Zone each : alloc.zones) {
                    if ((z == null || each == z) && (forceAllCpus || each.perCpuPageset[cpu].count > 0)) {
                        drainPagesZone(cpu, each);
                    }
                }
            }
        } finally {
            pcpuDrainMutex.unlock();
        }
    }

    /** zone_pcp_disable() (v5.10): high 0 and batch 1 send every free to the buddy allocator; then drain. */
    void zonePcpDisable(Zone z) {
        pcpBatchHighLock.lock();
        pagesetsOff(z);
    }

    /** zone_pcp_enable(): the zone's limits back. */
    void zonePcpEnable(Zone z) {
        pagesetsBack(z);
        pcpBatchHighLock.unlock();
    }

    /** __zone_set_pageset_high_and_batch(zone, 0, 0, 1) and a forced drain. Caller holds pcp_batch_high_lock. */
    private void pagesetsOff(Zone z) {
        for (PerCpuPages pcp : z.perCpuPageset) {
            pcp.pagesetUpdate(0, 0, 1);
        }
        drainAllPages(z, true);
    }

    /** The zone's pageset_high_min, pageset_high_max and pageset_batch to every CPU's pageset (pageset_update()). */
    private void pagesetsBack(Zone z) {
        for (PerCpuPages pcp : z.perCpuPageset) {
            pcp.pagesetUpdate(z.pagesetHighMin, z.pagesetHighMax, z.pagesetBatch);
        }
    }

    /** The pages on a zone's per-cpu lists (sum of pcp->count), read without the locks, as zoneinfo does. */
    static long pcpCount(Zone z) {
        long n = 0;
        for (PerCpuPages pcp : z.perCpuPageset) {
            n += pcp.count;
        }
        return n;
    }

    /** "on cpu N's per-cpu list, the order-K block at pfn P" when pfn lies in a block on a pcp list, else null. */
    String describePcpBlock(Zone z, int pfn) {
        PageLists lists = alloc.lists;
        for (PerCpuPages pcp : z.perCpuPageset) {
            for (int pindex = 0; pindex < PerCpuPages.NR_PCP_LISTS; pindex++) {
                int order = PerCpuPages.pindexToOrder(pindex);
                int head = pfn & -(1 << order);
                int list = pcp.lists[pindex];
                for (int id = lists.first(list), n = 0; id != list && n <= pcp.count; id = lists.next(id), n++) {
                    if (id == head) {
                        return String.format("on cpu %d's per-cpu list, the order-%d block at pfn %#x", pcp.cpu, order,
                                head);
                    }
                }
            }
        }
        return null;
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(v, hi));
    }
}
