package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.ReentrantLock;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.BalloonHooks2012;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.Mm;
import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.PageType;

/**
 * Small balloon-like drivers, one per migration contract, each with its own intrusive page list
 * (threaded through page->lru, as a balloon's is) under its own lock, following that contract's
 * rules for page->mapping, references and flags. migratepage() returns what the test scripted
 * (a queue of return codes; 0 once the queue is empty).
 */
final class FakeMovableDrivers {
    /** What balloon_page_alloc() asks for. */
    static final int GFP_BALLOON = Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOMEMALLOC | Gfp.__GFP_NORETRY
            | Gfp.__GFP_NOWARN;

    private FakeMovableDrivers() {
    }

    static GuestMemory guest(String contract) {
        return new GuestMemory(MmConfig.parse("64M", "32M", "tag", true, true, contract));
    }

    /** What every fake driver has: the page list, its lock, scripted return codes and call counts. */
    abstract static class Driver<P extends MovablePagesImpl> {
        final GuestMemory g;
        /** The driver's movable-page service, of its contract's type. */
        final P mp;
        final int pages;
        final ReentrantLock pagesLock = new ReentrantLock();
        final Deque<Integer> script = new ArrayDeque<>();
        int nrPages;
        int migrateCalls;
        int isolateCalls;
        int putbackCalls;
        boolean refuseIsolate;

        Driver(GuestMemory g, P mp) {
            this.g = g;
            this.mp = mp;
            this.pages = g.map.allocListHead();
        }

        int allocPage() {
            int pfn = g.allocPages(GFP_BALLOON, 0);
            assertThat(pfn).isNotEqualTo(Mm.NO_PAGE);
            return pfn;
        }

        void listAdd(int pfn) {
            pagesLock.lock();
            try {
                assertThat(g.lists.add(pfn, pages)).isTrue();
                nrPages++;
            } finally {
                pagesLock.unlock();
            }
        }

        void listDel(int pfn) {
            pagesLock.lock();
            try {
                assertThat(g.lists.del(pfn)).isTrue();
                nrPages--;
            } finally {
                pagesLock.unlock();
            }
        }

        boolean owns(int pfn) {
            pagesLock.lock();
            try {
                for (int p = g.lists.first(pages); p != pages; p = g.lists.next(p)) {
                    if (p == pfn) {
                        return true;
                    }
                }
                return false;
            } finally {
                pagesLock.unlock();
            }
        }

        /** The scripted return code of the next migratepage(), or 0 (then the driver migrates). */
        int nextRc() {
            migrateCalls++;
            Integer rc = script.poll();
            return rc == null ? 0 : rc;
        }
    }

    /**
     * 2012: a virtio-balloon of v3.8. balloon_page_enqueue() allocates, locks the new page (BUG_ON if
     * it cannot), sets page->mapping under pages_lock (rule i) and lists it; balloon_page_dequeue()
     * skips pages it cannot lock and pages that are isolated (they are not on the list), and
     * balloon_page_free() drops the dequeue reference and the balloon's.
     */
    static final class Balloon2012 extends Driver<MovablePages2012Impl> implements BalloonHooks2012, AddressSpaceOperations {
        final AddressSpace mapping;
        int isolatedPages;

        Balloon2012(GuestMemory g) {
            super(g, new MovablePages2012Impl(g, "fake.balloon2012", 7));
            mapping = mp.balloonMappingAlloc(this, this);
        }

        /** balloon_page_enqueue(). */
        int inflate() {
            int pfn = allocPage();
            assertThat(g.trylockPage(pfn)).as("BUG_ON(!trylock_page(page))").isTrue();
            pagesLock.lock();
            try {
                mp.balloonPageSetMapping(pfn, mapping);
                assertThat(g.lists.add(pfn, pages)).isTrue();
                nrPages++;
            } finally {
                pagesLock.unlock();
            }
            g.unlockPage(pfn);
            return pfn;
        }

        /** balloon_page_dequeue() + balloon_page_free(): a page given back to the guest, or NO_PAGE. */
        int deflate() {
            for (int pfn = g.lists.first(pages); pfn != pages; pfn = g.lists.next(pfn)) {
                if (g.trylockPage(pfn)) {
                    pagesLock.lock();
                    try {
                        g.getPage(pfn); // rule ii: no isolation can take it from here on
                        mp.balloonPageClearMapping(pfn);
                        assertThat(g.lists.del(pfn)).isTrue();
                        nrPages--;
                    } finally {
                        pagesLock.unlock();
                    }
                    g.unlockPage(pfn);
                    g.putPage(pfn);
                    g.freePages(pfn, 0);
                    return pfn;
                }
            }
            pagesLock.lock();
            try {
                assertThat(nrPages != 0 || isolatedPages != 0).as("BUG(): balloon pages are lost").isTrue();
            } finally {
                pagesLock.unlock();
            }
            return Mm.NO_PAGE;
        }

        @Override
        public void isolatePage(int pfn) {
            isolateCalls++;
            pagesLock.lock();
            try {
                assertThat(g.lists.del(pfn)).isTrue();
                nrPages--;
                isolatedPages++;
            } finally {
                pagesLock.unlock();
            }
        }

        @Override
        public void putbackPage(int pfn) {
            putbackCalls++;
            pagesLock.lock();
            try {
                assertThat(g.lists.add(pfn, pages)).isTrue();
                nrPages++;
                isolatedPages--;
            } finally {
                pagesLock.unlock();
            }
        }

        /** virtballoon_migratepage() of v3.8: newpage into the balloon, page out of it. */
        @Override
        public int migratepage(AddressSpace m, int newPfn, int pfn, MigrateMode mode) {
            int rc = nextRc();
            if (rc != 0) {
                return rc;
            }
            pagesLock.lock();
            try {
                mp.balloonPageSetMapping(newPfn, mapping);
                assertThat(g.lists.add(newPfn, pages)).isTrue();
                nrPages++;
                isolatedPages--;
            } finally {
                pagesLock.unlock();
            }
            // (tell the host: inflate newpage, deflate page)
            mp.balloonPageClearMapping(pfn);
            return 0;
        }
    }

    /**
     * 2016: a driver of the non-LRU movable page feature (v4.8, as virtio-balloon used it): pages are
     * marked with __SetPageMovable() under their lock; isolate_page takes a page off the list,
     * putback_page puts it back; migratepage takes a reference on the new page and marks it, clears
     * the old one (__ClearPageMovable()) and drops its reference.
     */
    static final class Driver2016 extends Driver<MovablePages2016Impl> implements AddressSpaceOperations {
        final AddressSpace mapping;

        Driver2016(GuestMemory g) {
            super(g, new MovablePages2016Impl(g, "fake.driver2016", 7));
            mapping = mp.allocAnonInode(this, this);
        }

        int add() {
            int pfn = allocPage();
            g.lockPage(pfn);
            mp.setPageMovable(pfn, mapping);
            g.unlockPage(pfn);
            listAdd(pfn);
            return pfn;
        }

        @Override
        public boolean isolatePage(int pfn, int isolateMode) {
            isolateCalls++;
            if (refuseIsolate) {
                return false;
            }
            listDel(pfn);
            return true;
        }

        @Override
        public void putbackPage(int pfn) {
            putbackCalls++;
            listAdd(pfn);
        }

        @Override
        public int migratepage(AddressSpace m, int newPfn, int pfn, MigrateMode mode) {
            int rc = nextRc();
            if (rc != 0) {
                return rc;
            }
            g.getPage(newPfn);
            mp.setPageMovable(newPfn, mapping);
            listAdd(newPfn);
            mp.clearPageMovable(pfn);
            g.putPage(pfn);
            return 0;
        }

        /** The owner lets go of a page it had lost to isolation: __ClearPageMovable() under the lock, put_page(). */
        void release(int pfn) {
            g.lockPage(pfn);
            mp.clearPageMovable(pfn);
            g.unlockPage(pfn);
            g.putPage(pfn);
        }
    }

    /**
     * 2025: a balloon of v6.17: its pages are PageOffline with PG_movable_ops and page->private set to
     * the device while inflated; movable_ops registered once for PGTY_offline.
     */
    static final class Driver2025 extends Driver<MovablePages2025Impl> implements MovableOperations {
        static final int DEVICE = 0x5a;

        Driver2025(GuestMemory g) {
            super(g, new MovablePages2025Impl(g, "fake.driver2025", 7));
            assertThat(mp.setMovableOps(this, PageType.OFFLINE)).isZero();
        }

        int add() {
            int pfn = allocPage();
            mp.setPageOffline(pfn);
            mp.setPageMovableOps(pfn);
            mp.setPagePrivate(pfn, DEVICE);
            listAdd(pfn);
            return pfn;
        }

        @Override
        public boolean isolatePage(int pfn, int isolateMode) {
            isolateCalls++;
            if (refuseIsolate || mp.pagePrivate(pfn) != DEVICE) {
                return false;
            }
            listDel(pfn);
            return true;
        }

        @Override
        public int migratePage(int dstPfn, int srcPfn, MigrateMode mode) {
            int rc = nextRc();
            if (rc != 0) {
                return rc;
            }
            g.getPage(dstPfn);
            mp.setPageOffline(dstPfn);
            mp.setPageMovableOps(dstPfn);
            mp.setPagePrivate(dstPfn, DEVICE);
            listAdd(dstPfn);
            mp.setPagePrivate(srcPfn, 0); // balloon_page_finalize(); PageOffline stays until the page is freed
            g.putPage(srcPfn);
            return 0;
        }

        @Override
        public void putbackPage(int pfn) {
            putbackCalls++;
            listAdd(pfn);
        }

        /** The owner lets go of an isolated page: deflated (private cleared) and its reference dropped. */
        void release(int pfn) {
            mp.setPagePrivate(pfn, 0);
            g.putPage(pfn);
        }
    }
}
