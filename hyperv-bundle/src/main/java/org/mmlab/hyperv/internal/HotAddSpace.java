package org.mmlab.hyperv.internal;

import java.util.HashMap;
import java.util.Map;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;

/**
 * The hot-add path of drivers/hv/hv_balloon.c v6.18.2 (hot_add_req(), hv_mem_hot_add(), hv_online_page(),
 * hv_page_online_one()) over a hot-add space. The kernel hot-adds memory above the guest's boot memory
 * (add_memory() of whole 128 MiB blocks); the lab's guest has a fixed size and no memory hotplug, so a
 * device's space is set aside at probe out of the guest's memory and stands for that address space: its
 * pages are allocated, PageOffline, out of totalram and their frames the host's (not backed), in the order
 * they were set aside. A hot-add of n pages adds the blocks that hold them (num_pages_added), onlines the
 * n pages the host backs (generic_online_page(): out of PageOffline, into totalram, freed to the buddy
 * allocator) and leaves the rest of those blocks fake offline (PageOffline until a later hot-add covers
 * them). Pages of the space never added go back to the guest when the device goes; added ones stay.
 */
public final class HotAddSpace {
    /** The space is taken in MAX_PAGE_ORDER blocks, unmovable: memory that is not there cannot move. */
    private static final int GFP_SPACE = Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN;

    private final HvBalloon b;
    private final int size;
    private int[] pfns = new int[0];
    private final Map<Integer, Integer> index = new HashMap<>();
    // guarded by this
    private int addedEnd;
    private int coveredEnd;
    private long numPagesAdded;
    private long numPagesOnlined;

    HotAddSpace(HvBalloon b, long pages) {
        this.b = b;
        this.size = (int) pages;
    }

    /** At probe: sets the space aside, its frames the host's. Throws, giving back what it took, if memory lacks. */
    void reserve() {
        if (size == 0) {
            return;
        }
        int[] taken = new int[size];
        int n = 0;
        int order = Mm.MAX_PAGE_ORDER;
        while (n < size) {
            while ((1 << order) > size - n) {
                order--;
            }
            int pfn = b.mm.allocPages(GFP_SPACE, order);
            if (pfn == Mm.NO_PAGE) {
                for (int i = 0; i < n; i++) {
                    b.mm.freePages(taken[i], 0);
                }
                throw new IllegalStateException(String.format("hv_balloon %s: no room for a hot-add space of %d pages"
                        + " (%d set aside): give it less", b.name, size, n));
            }
            b.mm.splitPage(pfn, order);
            for (int i = 0; i < 1 << order; i++) {
                taken[n++] = pfn + i;
            }
        }
        for (int i = 0; i < size; i++) {
            b.movablePages().setPageOffline(taken[i]);
            b.mm.adjustManagedPageCount(taken[i], -1);
            index.put(taken[i], i);
        }
        pfns = taken;
        b.host.reserveSpace(taken);
    }

    /** hot_add_req(): the host backed count pages from start on; online them, add their blocks, answer. */
    void hotAddReq(long range) {
        Integer first = index.get((int) DmProtocol.startPage(range));
        int count = DmProtocol.pageCnt(range);
        long added = 0;
        if (first != null && first + count <= size) {
            synchronized (this) {
                addedEnd = Math.max(addedEnd, (int) Math.min(size,
                        (first + count + DmProtocol.HA_PAGES_IN_CHUNK - 1L) / DmProtocol.HA_PAGES_IN_CHUNK
                                * DmProtocol.HA_PAGES_IN_CHUNK));
                coveredEnd = Math.max(coveredEnd, first + count);
            }
            for (int i = first; i < first + count; i++) {
                hvPageOnlineOne(pfns[i]);
            }
            added = count;
        }
        synchronized (this) {
            numPagesAdded += added;
        }
        b.send(new DmMessage.HotAddResponse(added, added > 0 ? 1 : 0));
        b.postStatus();
    }

    /** hv_page_online_one() of a page the host backs: generic_online_page(). */
    private void hvPageOnlineOne(int pfn) {
        b.movablePages().clearPageOffline(pfn);
        b.mm.adjustManagedPageCount(pfn, 1);
        b.mm.freePages(pfn, 0);
        synchronized (this) {
            numPagesOnlined++;
            notifyAll();
        }
    }

    /** At remove: the pages never added (the lab's stand-in for memory that is not there) go back. */
    void release() {
        int from;
        synchronized (this) {
            from = addedEnd;
        }
        b.host.back(pfns, from, pfns.length);
        for (int i = from; i < pfns.length; i++) {
            b.movablePages().clearPageOffline(pfns[i]);
            b.mm.adjustManagedPageCount(pfns[i], 1);
            b.mm.freePages(pfns[i], 0);
        }
    }

    int size() {
        return size;
    }

    synchronized long added() {
        return numPagesAdded;
    }

    public synchronized long onlined() {
        return numPagesOnlined;
    }

    /** Waits until at least n pages are online, at most timeoutMs; returns how many are. */
    public synchronized long awaitOnlined(long n, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        while (numPagesOnlined < n && System.nanoTime() < end) {
            wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
        }
        return numPagesOnlined;
    }

    /** Pages of added blocks the host has not backed: PageOffline, kept back. */
    synchronized long fakeOffline() {
        return addedEnd - coveredEnd;
    }

    /** The space's pages, in order (for mm:check). */
    int[] pfns() {
        return pfns.clone();
    }

    /** Pages from the start of the space that are online (the host backed them). */
    synchronized int coveredEnd() {
        return coveredEnd;
    }
}
