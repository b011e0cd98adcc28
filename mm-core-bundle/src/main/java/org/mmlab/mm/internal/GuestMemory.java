package org.mmlab.mm.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.mmlab.mm.CheckContributor;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;

/**
 * One booted guest: the memmap, its zones and buddy allocator, the LRU, page locks, content,
 * counters and dmesg, wired as mm_init.c and page_alloc.c do at boot. Its public methods are
 * the entry points other code calls, each inside {@link StopMachine#enter()}.
 */
public final class GuestMemory {
    /** The first MiB stays reserved at boot (real-mode and BIOS areas on x86). */
    static final int RESERVED_LOW_PAGES = 256;

    final MmConfig config;
    final Dmesg dmesg = new Dmesg();
    final MmDebug debug;
    final MemMap map;
    final PageLists lists;
    final Zone[] zones;
    final PageContent content;
    /** Frames hosts took back (balloon inflation): a guest access to one is reported. */
    final HostFrames hostFrames;
    /** Calls into driver modules, checked for use after unload. */
    ModuleCalls modules;
    /** Other bundles' invariants, which mm:check runs too (CheckContributor services). */
    final List<CheckContributor> checkContributors = new CopyOnWriteArrayList<>();
    final VmStat vmstat = new VmStat();
    final PageAlloc alloc;
    final Lruvec lruvec;
    final PageLock pageLock;
    /** The weak-memory mode's store buffers (page->mapping). */
    final StoreBuffer storeBuffer;
    final Handles handles = new Handles();
    /** kmalloc-192: the address_space objects of balloon and movable mappings, checked by KASAN. */
    final MappingSlab slab;
    final PageOwner pageOwner = new PageOwner();
    final StopMachine stopMachine = new StopMachine();
    final Migrate migrate;
    /** mm/compaction.c, registered with the allocator as its direct compactor; its kcompactd is started by MmCore. */
    final Compaction compaction;
    /** Free page hinting's hooks and what a design calls (the PageAllocHinting service). */
    final HintingCore hinting;

    public GuestMemory(MmConfig config) {
        this.config = config;
        int nrPages = (int) config.nrPages();
        debug = new MmDebug(dmesg, config.debugVm, config.debugList, config.lockdep);
        slab = new MappingSlab(handles, debug.kasan());
        map = new MemMap(nrPages);
        lists = new PageLists(map, debug);
        int dma32Pages = (int) (config.zoneDma32Bytes() >> Mm.PAGE_SHIFT);
        zones = dma32Pages >= nrPages
                ? new Zone[] {new Zone(map, 0, "DMA32", 0, nrPages, debug.lockdep())}
                : new Zone[] {new Zone(map, 0, "DMA32", 0, dma32Pages, debug.lockdep()),
                        new Zone(map, 1, "Normal", dma32Pages, nrPages, debug.lockdep())};
        content = config.frames ? new FrameContent(nrPages) : new TagContent(nrPages);
        hostFrames = new HostFrames(map, content, dmesg);
        alloc = new PageAlloc(map, zones, lists, debug, vmstat, dmesg, content, config.pagePoisoning,
                config.nrCpuIds);
        debug.attach(map, pfn -> alloc.zoneOf(pfn).idx + 1);
        lruvec = new Lruvec(map, lists, vmstat, alloc, debug.lockdep());
        storeBuffer = new StoreBuffer(map);
        pageLock = new PageLock(map, debug, storeBuffer);
        migrate = new Migrate(this);
        compaction = new Compaction(this);
        alloc.slowpath.setDirectCompactor(compaction);
        modules = new ModuleCalls(new ModuleTable(), this);
        alloc.slowpath.setStopMachine(stopMachine);
        alloc.slowpath.setModuleCalls(() -> modules); // read at each call: in the framework, MmCore replaces modules
        hinting = new HintingCore(this, () -> modules);
        alloc.hinting = hinting;
        boot();
    }

    /** memblock reservations, then memblock_free_all(), then the watermarks. */
    private void boot() {
        for (int pfn = 0; pfn < RESERVED_LOW_PAGES; pfn++) {
            map.setFlag(pfn, PageFlags.PG_reserved);
            map.setRefcount(pfn, 1);
        }
        for (Zone z : zones) {
            alloc.freeBootRange(Math.max(z.startPfn, RESERVED_LOW_PAGES), z.endPfn);
        }
        PageAllocWatermarks.setupWatermarks(zones);
        if (alloc.pcp != null) {
            for (Zone z : zones) {
                alloc.pcp.setupZonePageset(z, map, debug.lockdep());
            }
        }
        StringBuilder sb = new StringBuilder("Linux version 6.18.0-mmlab (mmlab@felix) #1 SMP PREEMPT_DYNAMIC\nZone ranges:");
        for (Zone z : zones) {
            sb.append(String.format("%n  %-8s [mem %#018x-%#018x]", z.name, (long) z.startPfn << Mm.PAGE_SHIFT,
                    ((long) z.endPfn << Mm.PAGE_SHIFT) - 1));
        }
        long managed = managedPages();
        sb.append(String.format("%nBuilt 1 zonelists, mobility grouping on.  Total pages: %d", managed));
        sb.append(String.format("%nMemory: %dK/%dK available (%dK reserved), content model: %s", managed * 4,
                (long) map.nrPages * 4, (map.nrPages - managed) * 4, content.name()));
        dmesg.printk(sb.toString());
    }

    public long managedPages() {
        long n = 0;
        for (Zone z : zones) {
            n += z.managedPages;
        }
        return n;
    }

    /**
     * adjust_managed_page_count() (mm/page_alloc.c, v6.18): the page's zone manages count more (or fewer) pages,
     * an atomic add without zone->lock, as the kernel's (the balloon drivers call it once a page).
     */
    void adjustManagedPageCount(int pfn, long count) {
        Zone.MANAGED_PAGES.getAndAdd(alloc.zoneOf(pfn), count);
    }

    public long freePages() {
        long n = 0;
        for (Zone z : zones) {
            n += z.freePages;
        }
        return n;
    }

    public Zone[] zones() {
        return zones.clone();
    }

    public int nrPages() {
        return map.nrPages;
    }

    public MmConfig config() {
        return config;
    }

    public org.mmlab.mm.MigrateType pageblockMigratetype(int pfn) {
        checkPfn(pfn);
        return map.pageblockMigratetype(pfn);
    }

    /** The use-after-unload checker (calls into driver modules). */
    public boolean unloadChecker() {
        return modules.enabled;
    }

    public void setUnloadChecker(boolean on) {
        modules.enabled = on;
    }

    /** The per-cpu page lists in use (mm:debug pcp): booted with them, and not switched off. */
    public boolean pcpEnabled() {
        return alloc.pcp != null && alloc.pcp.enabled();
    }

    /** mm:debug pcp: off is zone_pcp_disable() on every zone, until switched on; a guest booted without them has none. */
    public void setPcpEnabled(boolean on) {
        if (alloc.pcp == null) {
            if (on) {
                throw new IllegalArgumentException("this guest booted without per-cpu page lists");
            }
            return;
        }
        stopMachine.enter();
        try {
            alloc.pcp.setEnabled(on);
        } finally {
            stopMachine.exit();
        }
    }

    /** The weak-memory mode (mm:debug weakmem). */
    public boolean weakMemory() {
        return storeBuffer.on();
    }

    public void setWeakMemory(boolean on) {
        storeBuffer.setOn(on);
    }

    public MmDebug debug() {
        return debug;
    }

    public Dmesg dmesg() {
        return dmesg;
    }

    public VmStat vmstat() {
        return vmstat;
    }

    public PageContent content() {
        return content;
    }

    public PageAlloc allocator() {
        return alloc;
    }

    public Migrate migrate() {
        return migrate;
    }

    public Lruvec lruvec() {
        return lruvec;
    }

    public Compaction compaction() {
        return compaction;
    }

    /** What a free page hinting design calls (the PageAllocHinting service of this guest). */
    public HintingCore hinting() {
        return hinting;
    }

    /** Runs fn with no other task inside mm code (stop_machine). */
    public <T> T stopMachine(Supplier<T> fn) {
        return stopMachine.stopMachine(fn);
    }

    // ------------------------------------------------------------------ entry points

    void checkPfn(int pfn) {
        if (pfn < 0 || pfn >= map.nrPages) {
            throw new IllegalArgumentException(String.format("pfn %#x is outside memory (0 to %#x)", pfn, map.nrPages - 1));
        }
    }

    /** alloc_pages(). */
    public int allocPages(int gfp, int order) {
        StopMachine.Task t = stopMachine.enter();
        try {
            int pfn = alloc.allocPages(gfp, order);
            if (pfn != Mm.NO_PAGE && order > 0 && (gfp & Gfp.__GFP_COMP) == 0) {
                pageOwner.allocated(pfn, order);
            }
            return pfn;
        } finally {
            stopMachine.exit(t);
        }
    }

    /** __free_pages(). */
    public void freePages(int pfn, int order) {
        checkPfn(pfn);
        StopMachine.Task t = stopMachine.enter();
        try {
            if (order > 0 && !map.testFlag(pfn, PageFlags.PG_head)) {
                pageOwner.freed(pfn);
            }
            alloc.freePages(pfn, order);
        } finally {
            stopMachine.exit(t);
        }
    }

    /**
     * drain_all_pages() of each zone: every CPU's per-cpu pages back to the buddy allocator, where they
     * merge and count in NR_FREE_PAGES again. Zone by zone, because drain_all_pages(NULL) leaves the work
     * to a drain already under way, and the caller wants it done when this returns. Returns the pages the
     * lists gave back.
     */
    public long drainAllPages() {
        long drained = 0;
        for (Zone z : zones) {
            drained += drainAllPages(z);
        }
        return drained;
    }

    /** drain_all_pages(zone): this zone's pages on every CPU's lists back to the buddy allocator; how many. */
    long drainAllPages(Zone z) {
        if (alloc.pcp == null) {
            return 0;
        }
        stopMachine.enter();
        try {
            long before = PageAllocPcp.pcpCount(z);
            alloc.pcp.drainAllPages(z);
            return before - PageAllocPcp.pcpCount(z);
        } finally {
            stopMachine.exit();
        }
    }

    /**
     * split_page() (v6.18.2 mm/page_alloc.c:3048): a non-compound block of 2^order pages becomes 2^order
     * pages of one reference each (set_page_refcounted() on every tail); page_owner forgets the block
     * (split_page_owner()), each page is now freed on its own. VM_BUG_ON_PAGE on a compound page or a
     * page nobody holds, with CONFIG_DEBUG_VM.
     */
    public void splitPage(int pfn, int order) {
        checkPfn(pfn);
        if (order < 0 || order > Mm.MAX_PAGE_ORDER || pfn + (1 << order) > map.nrPages) {
            throw new IllegalArgumentException(String.format("split_page(): order %d at pfn %#x is outside memory", order,
                    pfn));
        }
        stopMachine.enter();
        try {
            if (debug.debugVm() && map.testFlag(pfn, PageFlags.PG_head)) {
                throw debug.vmBugOnPage(pfn, "PageCompound(page)", "mm/page_alloc.c:3052", "v6.18.2");
            }
            if (debug.debugVm() && map.refcount(pfn) <= 0) {
                throw debug.vmBugOnPage(pfn, "!page_count(page)", "mm/page_alloc.c:3053", "v6.18.2");
            }
            for (int i = 1; i < 1 << order; i++) {
                map.setRefcount(pfn + i, 1);
            }
            pageOwner.freed(pfn);
        } finally {
            stopMachine.exit();
        }
    }

    /** get_page(), which is folio_get(): VM_BUG_ON on a page nobody holds, with CONFIG_DEBUG_VM. */
    public void getPage(int pfn) {
        checkPfn(pfn);
        if (debug.debugVm() && map.refcount(pfn) <= 0) {
            throw debug.vmBugOnPage(pfn, "folio_ref_zero_or_close_to_overflow(folio)", "include/linux/mm.h:1386",
                    "v6.18.2");
        }
        map.refAdd(pfn, 1);
    }

    /** get_page_unless_zero(). */
    public boolean getPageUnlessZero(int pfn) {
        checkPfn(pfn);
        return map.refIncUnlessZero(pfn);
    }

    /** put_page(): the last reference frees the page (leaving the LRU first, as __folio_put does). */
    public void putPage(int pfn) {
        checkPfn(pfn);
        StopMachine.Task t = stopMachine.enter();
        try {
            putPageInside(pfn);
        } finally {
            stopMachine.exit(t);
        }
    }

    /**
     * put_page() for mm code that is already inside the stop_machine read section (migrate_pages() and
     * the other Migrate entry points): the same, without a nested enter/exit per page.
     */
    void putPageInside(int pfn) {
        int head = map.compoundHead(pfn);
        if (alloc.putPageTestzero(head)) {
            lruvec.release(head);
            alloc.freeFrozenPages(head, map.compoundOrder(head), 0);
        }
    }

    /**
     * put_page() inside mm code, for a caller that frees in batches (folios_put_refs()): when the last
     * reference of an order-0 page goes, the page leaves the LRU, free_pages_prepare() runs, and it is
     * added to the list at batch instead of being given to the buddy allocator at once; the caller
     * hands the list to {@link PageAlloc#freeUnrefPageList} before it leaves mm code. Compound pages
     * are freed at once.
     */
    void putPageBatched(int pfn, int batch) {
        int head = map.compoundHead(pfn);
        if (alloc.putPageTestzero(head)) {
            lruvec.release(head);
            int order = map.compoundOrder(head);
            if (order != 0) {
                alloc.freeFrozenPages(head, order, 0);
            } else if (alloc.freeChecks.freePagesPrepare(head, 0)) {
                lists.addTail(head, batch);
            }
        }
    }

    public int pageCount(int pfn) {
        checkPfn(pfn);
        return map.refcount(map.compoundHead(pfn));
    }

    public boolean trylockPage(int pfn) {
        checkPfn(pfn);
        return pageLock.trylock(pfn);
    }

    public void lockPage(int pfn) {
        checkPfn(pfn);
        pageLock.lock(pfn);
    }

    public void unlockPage(int pfn) {
        checkPfn(pfn);
        pageLock.unlock(pfn);
    }

    public boolean testPageFlag(int pfn, int flag) {
        checkPfn(pfn);
        if (flag < 0 || flag >= PageFlags.NR_PAGEFLAGS) {
            throw new IllegalArgumentException("no page flag " + flag);
        }
        return map.testFlag(pfn, flag);
    }

    public PageType pageType(int pfn) {
        checkPfn(pfn);
        return map.pageType(pfn);
    }

    /** dump_page() text for a PFN. */
    public String dumpPage(int pfn, String reason) {
        checkPfn(pfn);
        return debug.dumpPage(pfn, reason);
    }
}
