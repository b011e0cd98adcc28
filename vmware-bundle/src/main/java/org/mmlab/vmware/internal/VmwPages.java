package org.mmlab.vmware.internal;

import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_SUCCESS;

import java.util.concurrent.locks.ReentrantLock;

import org.mmlab.mm.Errno;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.VmEvent;
import org.mmlab.mm.lab.InjectionPoints;

/**
 * Models the page paths of drivers/misc/vmw_balloon.c (v6.18.2): struct vmballoon_ctl and
 * vmballoon_alloc_page_list(), vmballoon_lock() (one LOCK or UNLOCK command for a batch, with a status
 * per page), the refused list and vmballoon_split_refused_pages(), vmballoon_inflate(),
 * vmballoon_deflate() and vmballoon_pop(). Rules:
 * <ol type="i">
 * <li>Inflation starts with the largest page size (2 MiB with BATCHED_2M_CMDS and batching) and moves to
 *     4 KiB pages when an allocation fails or VMW_BALLOON_MAX_REFUSED pages were refused; refused 2 MiB
 *     pages are split into 4 KiB pages, which are used first. What is left is freed at the end.</li>
 * <li>4 KiB pages go through the balloon infrastructure (balloon_page_alloc(), balloon_page_list_enqueue(),
 *     movable); 2 MiB pages on huge_pages, PageOffline frame by frame, never movable.</li>
 * <li>Deflation starts with 4 KiB pages and moves up a size when it could not take or unlock as many as it
 *     asked for. A page the host refuses to unlock goes back into the balloon.</li>
 * <li>The pop (a reset, the exit) deflates everything without telling the host, which released the
 *     frames already; it waits for the pages migration holds.</li>
 * <li>comm_lock is a spinlock (preemption off). The lab holds it from the first change of a batch to its
 *     last: from the dequeue (deflate) or the LOCK command (inflate) until b->size and the balloon's lists
 *     agree with the host again, where v6.18.2 drops it after the command. So mm:check (stop_machine)
 *     never sees the host's frames, b->size and the lists disagree; the only new lock order is comm_lock
 *     before the balloon infrastructure's lock, which no path takes the other way.</li>
 * </ol>
 */
final class VmwPages {
    /** alloc_pages()'s flags for a 2 MiB page: __GFP_HIGHMEM | __GFP_NOWARN | __GFP_NOMEMALLOC. */
    static final int GFP_2M = Gfp.__GFP_HIGHMEM | Gfp.__GFP_NOWARN | Gfp.__GFP_NOMEMALLOC;

    /** enum vmballoon_op. */
    enum Op { VMW_BALLOON_INFLATE, VMW_BALLOON_DEFLATE }

    /** struct vmballoon_ctl: the pages of one operation, those the host refused, split pages to use first. */
    static final class Ctl {
        final PageList pages = new PageList();
        final PageList refusedPages = new PageList();
        final PageList preallocPages = new PageList();
        PageSize pageSize;
        final Op op;

        Ctl(PageSize pageSize, Op op) {
            this.pageSize = pageSize;
            this.op = op;
        }
    }

    private final VmwBalloon b;
    /** b->huge_pages: a list head linked through the 2 MiB pages' page->lru. */
    private int hugePages = -1;
    private long nrHugePages;
    /** huge_pages_lock (the 2026 series; v6.18.2 took b_dev_info.pages_lock). */
    private final ReentrantLock hugePagesLock = new ReentrantLock();

    VmwPages(VmwBalloon b) {
        this.b = b;
    }

    void initHugePages() {
        hugePages = b.mm.listHeadAlloc();
    }

    void freeHugePages() {
        b.mm.listHeadFree(hugePages);
    }

    // ================================================================ one batch

    /**
     * vmballoon_alloc_page_list(): reqNPages pages of ctl's size, split ones first; 0, or -ENOMEM when an
     * allocation failed.
     */
    int vmballoonAllocPageList(Ctl ctl, int reqNPages) {
        int i;
        for (i = 0; i < reqNPages; i++) {
            int page;
            if (!ctl.preallocPages.isEmpty()) {
                page = ctl.preallocPages.take();
            } else {
                page = ctl.pageSize == PageSize.VMW_BALLOON_2M_PAGE ? b.mm.allocPages(GFP_2M, ctl.pageSize.order)
                        : b.balloons.balloonPageAlloc();
                b.stats.pageAdd(VmwStats.Page.ALLOC, ctl.pageSize, 1);
            }
            if (page != Mm.NO_PAGE) {
                ctl.pages.add(page);
                continue;
            }
            b.stats.pageAdd(VmwStats.Page.ALLOC_FAIL, ctl.pageSize, 1);
            b.allocFailures.incrementAndGet();
            b.lastAllocFailed = ctl.pageSize == PageSize.VMW_BALLOON_4K_PAGE; // a 2M failure moves on to 4k pages
            break;
        }
        return reqNPages == i ? 0 : -Errno.ENOMEM;
    }

    /** vmballoon_add_page(), comm_lock held: the page into the batch entry idx, or b->page. */
    void vmballoonAddPage(int idx, int page) {
        if (b.batching) {
            b.batchPage[idx] = Protocol.batchEntry(page);
        } else {
            b.page = page;
        }
    }

    /** vmballoon_status_page(): the page of entry idx and its status (non-batched: the command's, SUCCESS). */
    long vmballoonStatusPage(int idx, int[] page) {
        if (b.batching) {
            page[0] = (int) Protocol.entryPfn(b.batchPage[idx]);
            return Protocol.entryStatus(b.batchPage[idx]);
        }
        page[0] = b.page;
        return VMW_BALLOON_SUCCESS;
    }

    /**
     * vmballoon_lock_op(), comm_lock held: the batched command for the size and direction, on the batch
     * page; or LOCK/UNLOCK of b->page, whose PFN must fit 32 bits.
     */
    long vmballoonLockOp(int numPages, PageSize pageSize, Op op) {
        int cmd;
        long pfn;
        boolean inflate = op == Op.VMW_BALLOON_INFLATE;
        if (b.batching) {
            boolean huge = pageSize == PageSize.VMW_BALLOON_2M_PAGE;
            cmd = inflate ? huge ? Protocol.VMW_BALLOON_CMD_BATCHED_2M_LOCK : Protocol.VMW_BALLOON_CMD_BATCHED_LOCK
                    : huge ? Protocol.VMW_BALLOON_CMD_BATCHED_2M_UNLOCK : Protocol.VMW_BALLOON_CMD_BATCHED_UNLOCK;
            pfn = b.batchPagePfn;
        } else {
            cmd = inflate ? Protocol.VMW_BALLOON_CMD_LOCK : Protocol.VMW_BALLOON_CMD_UNLOCK;
            pfn = b.page;
            if (pfn != (pfn & 0xffff_ffffL)) {
                return Protocol.VMW_BALLOON_ERROR_PPN_INVALID;
            }
        }
        long status = b.vmballoonCmd(cmd, pfn, numPages);
        b.lastLockStatus = status;
        return status;
    }

    /**
     * spin_lock(&b->comm_lock), with its lockdep annotation (and lock point): preemption off (rule v) before
     * the lock is taken, as spin_lock() does, so that a stop_machine never waits for a task that waits for
     * the lock while its holder waits for the machine. The lock point comes first: a race's schedule may
     * hold the task there (or end it with an exception), and a task held there must not keep a
     * stop_machine waiting; one that waits for the lock itself spins with preemption off, as in the kernel.
     */
    void lockComm() {
        b.mm.lockdepAcquire(InjectionPoints.LOCK_VMW_COMM, false);
        b.mm.preemptDisable();
        b.commLock.lock();
    }

    /** spin_unlock(&b->comm_lock): the lock released, then preemption on again. */
    void unlockComm() {
        b.mm.lockdepRelease(InjectionPoints.LOCK_VMW_COMM);
        b.commLock.unlock();
        b.mm.preemptEnable();
    }

    /**
     * vmballoon_lock(), comm_lock held (rule v): tells the host about ctl's pages in one command; each page
     * it refused (or all of them, when the whole command failed) moves to the refused list. 0, or -EIO if
     * the command failed.
     */
    int vmballoonLock(Ctl ctl) {
        int numPages = ctl.pages.size();
        if (numPages == 0) {
            return 0;
        }
        long batchStatus;
        {
            for (int i = 0; i < numPages; i++) {
                vmballoonAddPage(i, ctl.pages.get(i));
            }
            batchStatus = vmballoonLockOp(numPages, ctl.pageSize, ctl.op);
            boolean[] refused = new boolean[numPages];
            int[] page = new int[1];
            for (int i = 0; i < numPages; i++) {
                long status = vmballoonStatusPage(i, page);
                if (batchStatus != VMW_BALLOON_SUCCESS) {
                    status = batchStatus; // failure of the whole batch overrides the pages' results
                }
                if (vmballoonHandleOneResult(ctl.pageSize, status) == 0) {
                    continue;
                }
                refused[i] = true;
                ctl.refusedPages.add(page[0]);
            }
            ctl.pages.removeIf(refused);
        }
        return batchStatus == VMW_BALLOON_SUCCESS ? 0 : -Errno.EIO;
    }

    /** vmballoon_handle_one_result(): 0 on success; a refusal (of a lock or an unlock) counts as errAlloc. */
    private int vmballoonHandleOneResult(PageSize pageSize, long status) {
        if (status == VMW_BALLOON_SUCCESS) {
            return 0;
        }
        b.stats.pageAdd(VmwStats.Page.REFUSED_ALLOC, pageSize, 1);
        b.refusedPages.incrementAndGet();
        b.lastRefusal = status;
        return -Errno.EIO;
    }

    /** vmballoon_release_page_list(): __free_pages() each page, and the list is empty. */
    void vmballoonReleasePageList(PageList list, PageSize pageSize) {
        while (!list.isEmpty()) {
            b.mm.freePages(list.take(), pageSize.order);
        }
    }

    /** vmballoon_release_refused_pages(): errFree counts the release (once), then the pages go. */
    private void vmballoonReleaseRefusedPages(Ctl ctl) {
        b.stats.pageAdd(VmwStats.Page.REFUSED_FREE, ctl.pageSize, 1);
        vmballoonReleasePageList(ctl.refusedPages, ctl.pageSize);
    }

    /**
     * vmballoon_enqueue_page_list(): 4 KiB pages to the balloon infrastructure; 2 MiB pages PageOffline
     * frame by frame and onto huge_pages, BALLOON_INFLATE counted per frame (rule ii).
     */
    void vmballoonEnqueuePageList(PageList list, PageSize pageSize) {
        if (pageSize == PageSize.VMW_BALLOON_4K_PAGE) {
            b.balloons.balloonPageListEnqueue(b.bDevInfo, list.toArray(), list.size());
            list.clear();
            return;
        }
        lockHugePages();
        try {
            for (int i = 0; i < list.size(); i++) {
                int page = list.get(i);
                for (int f = 0; f < pageSize.frames(); f++) {
                    b.movablePages.setPageOffline(page + f); // vmballoon_mark_page_offline()
                }
                b.mm.listAdd(page, hugePages);
                nrHugePages++;
            }
            countVmEvents(VmEvent.BALLOON_INFLATE, (long) list.size() * pageSize.frames());
            list.clear();
        } finally {
            unlockHugePages();
        }
    }

    /** vmballoon_dequeue_page_list(): up to nReqPages pages of the size off the balloon into list. */
    void vmballoonDequeuePageList(PageList list, PageSize pageSize, int nReqPages) {
        if (pageSize == PageSize.VMW_BALLOON_4K_PAGE) {
            int[] out = new int[nReqPages];
            int n = b.balloons.balloonPageListDequeue(b.bDevInfo, out, nReqPages);
            for (int i = 0; i < n; i++) {
                list.add(out[i]);
            }
            return;
        }
        lockHugePages();
        try {
            int i = 0;
            while (i < nReqPages && !b.mm.listEmpty(hugePages)) {
                int page = b.mm.listNext(hugePages);
                for (int f = 0; f < pageSize.frames(); f++) {
                    b.movablePages.clearPageOffline(page + f); // vmballoon_mark_page_online()
                }
                b.mm.listDel(page);
                nrHugePages--;
                list.add(page);
                i++;
            }
            countVmEvents(VmEvent.BALLOON_DEFLATE, (long) i * pageSize.frames());
        } finally {
            unlockHugePages();
        }
    }

    /** vmballoon_split_refused_pages(): each refused 2 MiB page split_page()d into 4 KiB pages to use first. */
    private void vmballoonSplitRefusedPages(Ctl ctl) {
        int order = ctl.pageSize.order;
        while (!ctl.refusedPages.isEmpty()) {
            int page = ctl.refusedPages.take();
            b.mm.splitPage(page, order);
            for (int i = 0; i < 1 << order; i++) {
                ctl.preallocPages.add(page + i);
            }
        }
    }

    // ================================================================ inflate, deflate, pop

    /** vmballoon_inflate() (rule i). */
    void vmballoonInflate() {
        Ctl ctl = new Ctl(b.maxPageSize, Op.VMW_BALLOON_INFLATE);
        b.lastRefusal = VMW_BALLOON_SUCCESS;
        b.lastAllocFailed = false;
        long toInflateFrames;
        while ((toInflateFrames = b.vmballoonChange()) > 0) {
            int pageInFrames = ctl.pageSize.frames();
            int toInflatePages = (int) Math.min(b.batchMaxPages, ceilDiv(toInflateFrames, pageInFrames));
            int allocError = vmballoonAllocPageList(ctl, toInflatePages);
            lockComm();
            try {
                if (vmballoonLock(ctl) != 0) {
                    break; // something serious went wrong: stop the inflation
                }
                b.size.addAndGet((long) ctl.pages.size() * pageInFrames);
                vmballoonEnqueuePageList(ctl.pages, ctl.pageSize);
            } finally {
                unlockComm();
            }
            if (allocError != 0 || ctl.refusedPages.size() >= Protocol.VMW_BALLOON_MAX_REFUSED) {
                if (ctl.pageSize == PageSize.VMW_BALLOON_4K_PAGE) {
                    break;
                }
                vmballoonSplitRefusedPages(ctl);
                ctl.pageSize = PageSize.VMW_BALLOON_4K_PAGE;
            }
        }
        if (!ctl.refusedPages.isEmpty()) {
            vmballoonReleaseRefusedPages(ctl);
        }
        vmballoonReleasePageList(ctl.preallocPages, ctl.pageSize);
    }

    /**
     * vmballoon_deflate(): nFrames (0: towards the target) in chunks of a batch, unlocked with the host
     * unless the deflate is not coordinated (the pop); returns the frames deflated (rules iii, iv).
     */
    long vmballoonDeflate(long nFrames, boolean coordinated) {
        long deflatedFrames = 0;
        long triedFrames = 0;
        Ctl ctl = new Ctl(PageSize.VMW_BALLOON_4K_PAGE, Op.VMW_BALLOON_DEFLATE);
        PageList release = new PageList();
        while (true) {
            int pageInFrames = ctl.pageSize.frames();
            long toDeflateFrames = nFrames != 0 ? nFrames - triedFrames : -b.vmballoonChange();
            if (toDeflateFrames <= 0) {
                break;
            }
            int toDeflatePages = (int) Math.min(b.batchMaxPages, ceilDiv(toDeflateFrames, pageInFrames));
            PageSize released = ctl.pageSize;
            boolean deflatedAll;
            lockComm();
            try {
                vmballoonDequeuePageList(ctl.pages, ctl.pageSize, toDeflatePages);
                triedFrames += (long) ctl.pages.size() * pageInFrames;
                if (coordinated) {
                    vmballoonLock(ctl); // its return is ignored: what was unlocked counts
                }
                deflatedAll = ctl.pages.size() == toDeflatePages;
                long nUnlockedFrames = (long) ctl.pages.size() * pageInFrames;
                b.size.addAndGet(-nUnlockedFrames);
                deflatedFrames += nUnlockedFrames;
                b.stats.pageAdd(VmwStats.Page.FREE, ctl.pageSize, ctl.pages.size());
                while (!ctl.pages.isEmpty()) {
                    release.add(ctl.pages.take());
                }
                vmballoonEnqueuePageList(ctl.refusedPages, ctl.pageSize); // refused: back into the balloon
            } finally {
                unlockComm();
            }
            vmballoonReleasePageList(release, released);
            if (!deflatedAll) {
                if (ctl.pageSize == b.maxPageSize) {
                    break;
                }
                ctl.pageSize = PageSize.VMW_BALLOON_2M_PAGE;
            }
        }
        return deflatedFrames;
    }

    /**
     * vmballoon_pop(): deflate everything, uncoordinated, until size is 0 (rule iv). While migration holds
     * pages the balloon infrastructure cannot hand them out, so this waits for them, as the kernel's loop does.
     */
    void vmballoonPop() {
        long spins = 0;
        long s;
        while ((s = b.size.get()) != 0) {
            if (vmballoonDeflate(s, false) == 0) {
                if (nrHugePages > 0 && b.maxPageSize == PageSize.VMW_BALLOON_4K_PAGE) {
                    // vmballoon_exit() sent START(0) first: granted no capability, the driver's max_page_size is
                    // 4k, and v6.18.2's deflate never reaches a 2 MiB page, so its loop would spin for ever
                    b.printk(String.format("vmballoon_pop: %d 2M pages left but max_page_size is 4k (START granted"
                            + " %#x): v6.18.2 would spin here for ever; the lab pops them as 2M pages", nrHugePages,
                            b.capabilities));
                    b.maxPageSize = PageSize.VMW_BALLOON_2M_PAGE;
                    continue;
                }
                if (++spins % 1000 == 0) {
                    sleepOneMs(); // isolated pages: wait for compaction to put them back or migrate them
                } else {
                    Thread.onSpinWait();
                }
            }
        }
    }

    // ================================================================ helpers

    private void lockHugePages() {
        b.mm.preemptDisable();
        hugePagesLock.lock();
    }

    private void unlockHugePages() {
        hugePagesLock.unlock();
        b.mm.preemptEnable();
    }

    /** __count_vm_events(item, n). */
    private void countVmEvents(VmEvent item, long n) {
        for (long i = 0; i < n; i++) {
            b.mm.countVmEvent(item);
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static void sleepOneMs() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** 2 MiB pages on huge_pages now. */
    long nrHugePages() {
        return nrHugePages;
    }

    /** The 2 MiB pages, head PFNs, for the check (the machine stopped). */
    PageList hugePageList() {
        PageList out = new PageList();
        for (int id = b.mm.listNext(hugePages); id != hugePages; id = b.mm.listNext(id)) {
            if (id < 0 || id >= b.mm.nrPages()) {
                break; // corrupt: the count comparison says so
            }
            out.add(id);
        }
        return out;
    }
}
