package org.mmlab.mm.internal;

import static org.mmlab.mm.internal.PageAlloc.ALLOC_HIGHATOMIC;
import static org.mmlab.mm.internal.PageAlloc.ALLOC_MIN_RESERVE;
import static org.mmlab.mm.internal.PageAlloc.ALLOC_NON_BLOCK;
import static org.mmlab.mm.internal.PageAlloc.ALLOC_NO_WATERMARKS;
import static org.mmlab.mm.internal.PageAlloc.ALLOC_WMARK_MIN;

import java.util.function.Supplier;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.OomNotifier;
import org.mmlab.mm.Ratelimit;
import org.mmlab.mm.Shrinker;

/**
 * Models mm/page_alloc.c's slow path: __alloc_pages_slowpath() after the fast path failed, with
 * __alloc_pages_direct_compact(), direct reclaim (shrink_slab() alone: the simulated guest has no
 * page cache and no swap), __alloc_pages_may_oom() and out_of_memory() (the OOM notifiers, then the
 * OOM killer), and warn_alloc() when it gives up. It keeps the shrinkers and OOM notifiers it calls.
 */
final class PageAllocSlowpath {
    /** MAX_RECLAIM_RETRIES. */
    private static final int MAX_RECLAIM_RETRIES = 16;

    private final PageAlloc alloc;
    private final Zone[] zones;
    private final VmStat vmstat;
    private final Dmesg dmesg;
    /** nopage_rs: DEFAULT_RATELIMIT_INTERVAL (5 s), DEFAULT_RATELIMIT_BURST (10). */
    private final Ratelimit nopageRatelimit = new Ratelimit();
    private final OomNotifiers oomNotifiers = new OomNotifiers();
    private final Shrinkers shrinkers = new Shrinkers();
    private volatile OomKiller oomKiller;
    /** The guest's use-after-unload checker, which every call into a shrinker or OOM notifier goes through. */
    private volatile Supplier<ModuleCalls> moduleCalls;
    /** The last-resort direct compaction hook (mm/compaction.c registers itself here). */
    private volatile DirectCompactor directCompactor;

    /** Who out_of_memory() can kill to free memory: the workload's processes. */
    interface OomKiller {
        /** Kill the biggest task; returns the pages that will come back, or 0 when there is none. */
        long oomKill(int order, int gfp);
    }

    /**
     * mm/compaction.c's part in the slow path: try_to_compact_pages() as __alloc_pages_direct_compact()
     * calls it, that function's accounting after its retry, and the kcompactd wake-up that kswapd
     * does (the simulation has no kswapd).
     */
    interface DirectCompactor {
        /** enum compact_priority (include/linux/compaction.h): lower is harder. */
        int COMPACT_PRIO_SYNC_FULL = 0;
        int MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL;
        int COMPACT_PRIO_SYNC_LIGHT = 1;
        int MIN_COMPACT_COSTLY_PRIORITY = COMPACT_PRIO_SYNC_LIGHT;
        int DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT;
        int COMPACT_PRIO_ASYNC = 2;
        int INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC;

        /** try_to_compact_pages(): false when it returned COMPACT_SKIPPED (nothing ran, no stall to count). */
        boolean tryToCompactPages(int gfp, int order, int allocFlags, int highestZoneIdx, int prio);

        /** The end of __alloc_pages_direct_compact(): pfn is what the retry got (NO_PAGE if nothing). */
        void directCompactDone(int order, int pfn);

        /** wakeup_kcompactd(), which kswapd calls for a high-order request once it has done its part. */
        void wakeupKcompactd(int order, int highestZoneIdx);
    }

    PageAllocSlowpath(PageAlloc alloc) {
        this.alloc = alloc;
        this.zones = alloc.zones;
        this.vmstat = alloc.vmstat;
        this.dmesg = alloc.dmesg;
    }

    /** The guest's stop_machine(), which the OOM notifiers sleep outside of. */
    void setStopMachine(StopMachine sm) {
        oomNotifiers.setStopMachine(sm);
    }

    void setModuleCalls(Supplier<ModuleCalls> calls) {
        moduleCalls = calls;
    }

    /** The guest's module calls, or null before the guest gave them (a slow path tested alone). */
    private ModuleCalls moduleCalls() {
        Supplier<ModuleCalls> c = moduleCalls;
        return c == null ? null : c.get();
    }

    void setOomKiller(OomKiller k) {
        oomKiller = k;
    }

    void setDirectCompactor(DirectCompactor c) {
        directCompactor = c;
    }

    void registerShrinker(String name, Shrinker s) {
        shrinkers.register(name, s);
    }

    void unregisterShrinker(Shrinker s) {
        shrinkers.unregister(s, moduleCalls());
    }

    void registerOomNotifier(OomNotifier n) {
        oomNotifiers.register(n);
    }

    void unregisterOomNotifier(OomNotifier n) {
        oomNotifiers.unregister(n, moduleCalls());
    }

    /** __alloc_pages_slowpath(), less reclaim (the simulated guest has no page cache and no swap). */
    int allocPagesSlowpath(int gfp, int order, int highest, int mt) {
        // gfp_to_alloc_flags()
        int allocFlags = ALLOC_WMARK_MIN;
        if ((gfp & Gfp.__GFP_HIGH) != 0) {
            allocFlags |= ALLOC_MIN_RESERVE;
        }
        if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0) {
            allocFlags |= ALLOC_NON_BLOCK;
            if (order > 0 && (gfp & Gfp.__GFP_HIGH) != 0) {
                allocFlags |= ALLOC_HIGHATOMIC;
            }
        }
        DirectCompactor compactor = directCompactor;
        // wake_all_kswapds(): kswapd would reclaim, then wake kcompactd for the order; here only the latter is left
        if ((gfp & Gfp.__GFP_KSWAPD_RECLAIM) != 0 && order > 0 && compactor != null) {
            compactor.wakeupKcompactd(order, highest);
        }
        int pfn = alloc.getPageFromFreelist(gfp, order, allocFlags, highest, mt);
        if (pfn != Mm.NO_PAGE) {
            return pfn;
        }
        // __gfp_pfmemalloc_flags(): __GFP_MEMALLOC may use the reserves, unless __GFP_NOMEMALLOC forbids it
        if ((gfp & Gfp.__GFP_MEMALLOC) != 0 && (gfp & Gfp.__GFP_NOMEMALLOC) == 0) {
            pfn = alloc.getPageFromFreelist(gfp, order, ALLOC_NO_WATERMARKS, highest, mt);
            if (pfn != Mm.NO_PAGE) {
                return pfn;
            }
        }
        if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0) {
            return nopage(gfp, order);
        }
        if (compactor != null && order > 0) {
            pfn = allocPagesDirectCompact(compactor, gfp, order, allocFlags, highest, mt);
            if (pfn != Mm.NO_PAGE) {
                return pfn;
            }
        }
        // __alloc_pages_direct_reclaim(): with no page cache and no swap, reclaim is shrink_slab() alone;
        // do_try_to_free_pages() counts the stall against sc->reclaim_idx = gfp_zone(gfp) first
        vmstat.inc(zones[highest].allocstallItem);
        if (shrinkers.shrinkSlab(moduleCalls.get()) > 0) {
            pfn = alloc.getPageFromFreelist(gfp, order, allocFlags, highest, mt);
            // what reclaim freed may sit on the per-cpu lists: drain_all_pages() and retry once (v2.6.24);
            // without progress there is no drain, and pages on the lists do not keep the OOM killer away
            if (pfn == Mm.NO_PAGE && alloc.pcp != null) {
                alloc.pcp.drainAllPages(null);
                pfn = alloc.getPageFromFreelist(gfp, order, allocFlags, highest, mt);
            }
            if (pfn != Mm.NO_PAGE) {
                return pfn;
            }
        }
        if ((gfp & Gfp.__GFP_NORETRY) != 0) {
            return nopage(gfp, order);
        }
        // __alloc_pages_may_oom(): the OOM killer does not help costly orders or RETRY_MAYFAIL callers;
        // without reclaim, MAX_RECLAIM_RETRIES bounds the retries, and __GFP_NOFAIL retries longer
        boolean mayOom = order <= Mm.PAGE_ALLOC_COSTLY_ORDER && (gfp & Gfp.__GFP_RETRY_MAYFAIL) == 0;
        boolean noFail = (gfp & Gfp.__GFP_NOFAIL) != 0;
        for (int attempt = 0; attempt < (noFail ? 1000 : MAX_RECLAIM_RETRIES); attempt++) {
            boolean progress = mayOom && outOfMemory(gfp, order);
            pfn = alloc.getPageFromFreelist(gfp, order, allocFlags, highest, mt);
            if (pfn != Mm.NO_PAGE) {
                return pfn;
            }
            if (!progress && !noFail) {
                break;
            }
            Thread.onSpinWait();
        }
        return nopage(gfp, order);
    }

    /**
     * __alloc_pages_direct_compact() at each priority should_compact_retry() escalates through: from
     * INIT_COMPACT_PRIORITY (async) to MIN_COMPACT_PRIORITY, or MIN_COMPACT_COSTLY_PRIORITY for costly
     * orders; a __GFP_NORETRY caller stops after the async attempt. Without reclaim in the simulation,
     * these attempts are all the slow path can do for a high order before the OOM path.
     */
    private int allocPagesDirectCompact(DirectCompactor c, int gfp, int order, int allocFlags, int highest, int mt) {
        int minPriority = order > Mm.PAGE_ALLOC_COSTLY_ORDER ? DirectCompactor.MIN_COMPACT_COSTLY_PRIORITY
                : DirectCompactor.MIN_COMPACT_PRIORITY;
        for (int prio = DirectCompactor.INIT_COMPACT_PRIORITY; prio >= minPriority; prio--) {
            if (c.tryToCompactPages(gfp, order, allocFlags, highest, prio)) {
                int pfn = alloc.getPageFromFreelist(gfp, order, allocFlags, highest, mt);
                c.directCompactDone(order, pfn);
                if (pfn != Mm.NO_PAGE) {
                    return pfn;
                }
            }
            if ((gfp & Gfp.__GFP_NORETRY) != 0) {
                break;
            }
        }
        return Mm.NO_PAGE;
    }

    /** out_of_memory(): first the OOM notifiers (balloons deflate), then kill the biggest task. */
    private boolean outOfMemory(int gfp, int order) {
        long freed = oomNotifiers.callChain(moduleCalls.get());
        if (freed > 0) {
            return true;
        }
        OomKiller killer = oomKiller;
        return killer != null && killer.oomKill(order, gfp) > 0;
    }

    /** warn_alloc(): the allocation-failure splat, unless __GFP_NOWARN or rate-limited. */
    private int nopage(int gfp, int order) {
        if ((gfp & Gfp.__GFP_NOWARN) == 0 && nopageRatelimit.allow("warn_alloc", dmesg::printk)) {
            StringBuilder sb = new StringBuilder(String.format(
                    "%s: page allocation failure: order:%d, mode:%#x(%s), nodemask=(null),cpuset=/,mems_allowed=0",
                    MmDebug.comm(), order, gfp, Gfp.format(gfp)));
            sb.append("\n").append(MmDebug.javaTrace()).append("Mem-Info:");
            for (Zone z : zones) {
                sb.append("\n").append(alloc.showFreeArea(z));
            }
            dmesg.printk(sb.toString());
        }
        return Mm.NO_PAGE;
    }
}
