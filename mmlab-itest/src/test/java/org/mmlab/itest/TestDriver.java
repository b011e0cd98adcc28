package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.BalloonHooks2012;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.Mm;
import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.MovablePages2012;
import org.mmlab.mm.MovablePages2016;
import org.mmlab.mm.MovablePages2025;
import org.mmlab.mm.PageType;

/**
 * A small balloon-like driver that lives in the test bundle and uses nothing but the exported API:
 * the MemoryManager and the bundle's own MovablePages service (so the core's registry records the
 * test bundle as the owner). One subclass per migration contract, each marking its pages movable
 * that contract's way and following its rules for page->mapping, references and flags.
 *
 * <p>The driver keeps its pages in its own list under its own lock ({@code pages_lock}), as a
 * balloon does, and writes down what migration asked of it, page by page. Its migrate callback
 * answers what the test scripted for a page ({@link #answer}), and migrates the page otherwise.
 */
abstract class TestDriver<P extends MovablePages> implements AutoCloseable {
    /** What balloon_page_alloc() asks for. */
    static final int GFP_BALLOON = Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOMEMALLOC | Gfp.__GFP_NORETRY
            | Gfp.__GFP_NOWARN;

    final MemoryManager mm;
    /** The test bundle's movable-page service, of the guest's contract. */
    final P mp;
    /** b_dev_info->pages_lock: guards the page list and the call records. */
    final ReentrantLock pagesLock = new ReentrantLock();
    private final Set<Integer> pages = new LinkedHashSet<>();
    private final Map<Integer, Deque<Integer>> answers = new HashMap<>();
    private final Map<Integer, Integer> isolateCalls = new HashMap<>();
    private final Map<Integer, Integer> migrateCalls = new HashMap<>();
    private final Map<Integer, Integer> putbackCalls = new HashMap<>();
    private final Map<Integer, Integer> movedTo = new HashMap<>();
    private final Map<Integer, Runnable> onIsolate = new HashMap<>();

    TestDriver(MemoryManager mm, P mp) {
        this.mm = mm;
        this.mp = mp;
    }

    /** The driver of the contract the guest runs, registered with the core. */
    static TestDriver<?> of(MemoryManager mm, MovablePages mp) {
        if (mp instanceof MovablePages2012 p) {
            return new Balloon2012(mm, p);
        }
        if (mp instanceof MovablePages2016 p) {
            return new NonLru2016(mm, p);
        }
        return new MovableOps2025(mm, (MovablePages2025) mp);
    }

    /** Allocates one page and makes it movable the contract's way; returns its PFN. */
    abstract int add();

    /** Gives a page on the driver's list back to the guest (it is not isolated). */
    abstract void release(int pfn);

    /**
     * Lets go of a page migration has isolated (it is off the driver's list, and its lock is free):
     * the owner's release path, racing migration. Not possible in 2012, whose balloon only dequeues
     * pages on its list.
     */
    abstract void releaseIsolated(int pfn);

    /** Undoes the registration: frees the mapping, or sets the movable_ops to NULL. */
    abstract void unregister();

    /** Whether the page is movable as this driver's, by the contract's own tests. */
    abstract boolean isMine(int pfn);

    /** Adds n pages; returns their PFNs in the order they were allocated. */
    List<Integer> add(int n) {
        List<Integer> added = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            added.add(add());
        }
        return added;
    }

    /** The next migrations of pfn return these codes, in order; after them the driver migrates it. */
    void answer(int pfn, int... rcs) {
        pagesLock.lock();
        try {
            Deque<Integer> q = answers.computeIfAbsent(pfn, k -> new ArrayDeque<>());
            for (int rc : rcs) {
                q.add(rc);
            }
        } finally {
            pagesLock.unlock();
        }
    }

    /** When pfn is isolated, the driver runs this in its isolate callback (with pfn's lock held by the core). */
    void whenIsolated(int pfn, Runnable action) {
        pagesLock.lock();
        try {
            onIsolate.put(pfn, action);
        } finally {
            pagesLock.unlock();
        }
    }

    /** The driver's list now. */
    Set<Integer> pages() {
        pagesLock.lock();
        try {
            return new LinkedHashSet<>(pages);
        } finally {
            pagesLock.unlock();
        }
    }

    int isolateCalls(int pfn) {
        return count(isolateCalls, pfn);
    }

    int migrateCalls(int pfn) {
        return count(migrateCalls, pfn);
    }

    int putbackCalls(int pfn) {
        return count(putbackCalls, pfn);
    }

    /** Where a successful migration moved pfn, or null. */
    Integer movedTo(int pfn) {
        pagesLock.lock();
        try {
            return movedTo.get(pfn);
        } finally {
            pagesLock.unlock();
        }
    }

    /** Every page back to the guest, then the registration undone. */
    @Override
    public void close() {
        for (int pfn : pages()) {
            release(pfn);
        }
        unregister();
    }

    // ---------------------------------------------------------------- helpers for the subclasses

    int allocPage() {
        int pfn = mm.allocPages(GFP_BALLOON, 0);
        assertThat(pfn).as("balloon_page_alloc()").isNotEqualTo(Mm.NO_PAGE);
        return pfn;
    }

    void listAdd(int pfn) {
        pagesLock.lock();
        try {
            assertThat(pages.add(pfn)).as("pfn %#x joins the driver's list", pfn).isTrue();
        } finally {
            pagesLock.unlock();
        }
    }

    void listDel(int pfn) {
        pagesLock.lock();
        try {
            assertThat(pages.remove(pfn)).as("pfn %#x leaves the driver's list", pfn).isTrue();
        } finally {
            pagesLock.unlock();
        }
    }

    void isolated(int pfn) {
        Runnable action;
        pagesLock.lock();
        try {
            isolateCalls.merge(pfn, 1, Integer::sum);
            assertThat(pages.remove(pfn)).as("isolated pfn %#x was on the driver's list", pfn).isTrue();
            action = onIsolate.remove(pfn);
        } finally {
            pagesLock.unlock();
        }
        if (action != null) {
            action.run();
        }
    }

    void putBack(int pfn) {
        pagesLock.lock();
        try {
            putbackCalls.merge(pfn, 1, Integer::sum);
            assertThat(pages.add(pfn)).as("pfn %#x put back to the driver's list", pfn).isTrue();
        } finally {
            pagesLock.unlock();
        }
    }

    /** Counts a migrate call for src and returns the scripted answer, or 0: go ahead and migrate. */
    int nextAnswer(int src) {
        pagesLock.lock();
        try {
            migrateCalls.merge(src, 1, Integer::sum);
            Deque<Integer> q = answers.get(src);
            Integer rc = q == null ? null : q.poll();
            return rc == null ? 0 : rc;
        } finally {
            pagesLock.unlock();
        }
    }

    /** Records a successful migration: dst is the driver's now, in place of src. */
    void moved(int src, int dst) {
        pagesLock.lock();
        try {
            movedTo.put(src, dst);
            assertThat(pages.add(dst)).as("pfn %#x (was %#x) joins the driver's list", dst, src).isTrue();
        } finally {
            pagesLock.unlock();
        }
    }

    private int count(Map<Integer, Integer> calls, int pfn) {
        pagesLock.lock();
        try {
            return calls.getOrDefault(pfn, 0);
        } finally {
            pagesLock.unlock();
        }
    }

    /**
     * 2012: a virtio-balloon of v3.8. balloon_page_enqueue() allocates, locks the new page, sets
     * page->mapping under pages_lock (rule i) and lists it; the isolation and putback hooks take it
     * off and put it back on the list; virtballoon_migratepage() inserts the new page and deletes the
     * old one; deflating (balloon_page_dequeue() + balloon_page_free()) drops the dequeue reference
     * and the balloon's.
     */
    static final class Balloon2012 extends TestDriver<MovablePages2012> implements BalloonHooks2012, AddressSpaceOperations {
        final AddressSpace mapping;

        Balloon2012(MemoryManager mm, MovablePages2012 mp) {
            super(mm, mp);
            mapping = mp.balloonMappingAlloc(this, this);
        }

        @Override
        int add() {
            int pfn = allocPage();
            assertThat(mm.trylockPage(pfn)).as("BUG_ON(!trylock_page(page))").isTrue();
            pagesLock.lock();
            try {
                mp.balloonPageSetMapping(pfn, mapping);
                listAdd(pfn);
            } finally {
                pagesLock.unlock();
            }
            mm.unlockPage(pfn);
            return pfn;
        }

        @Override
        void release(int pfn) {
            assertThat(mm.trylockPage(pfn)).as("nobody else holds pfn %#x's lock", pfn).isTrue();
            pagesLock.lock();
            try {
                mm.getPage(pfn); // rule ii: no isolation can take it from here on
                mp.balloonPageClearMapping(pfn);
                listDel(pfn);
            } finally {
                pagesLock.unlock();
            }
            mm.unlockPage(pfn);
            mm.putPage(pfn);
            mm.freePages(pfn, 0);
        }

        @Override
        void releaseIsolated(int pfn) {
            throw new UnsupportedOperationException("a v3.8 balloon dequeues only pages on its list: pfn "
                    + Integer.toHexString(pfn) + " is isolated");
        }

        @Override
        void unregister() {
            mp.balloonMappingFree(mapping);
        }

        @Override
        boolean isMine(int pfn) {
            return mp.balloonPageDevice(pfn) == this;
        }

        @Override
        public void isolatePage(int pfn) {
            isolated(pfn);
        }

        @Override
        public void putbackPage(int pfn) {
            putBack(pfn);
        }

        @Override
        public int migratepage(AddressSpace m, int newPfn, int pfn, MigrateMode mode) {
            int rc = nextAnswer(pfn);
            if (rc != 0) {
                return rc;
            }
            pagesLock.lock();
            try {
                mp.balloonPageSetMapping(newPfn, mapping);
                moved(pfn, newPfn);
            } finally {
                pagesLock.unlock();
            }
            mp.balloonPageClearMapping(pfn);
            return 0;
        }
    }

    /**
     * 2016: a driver of the non-LRU movable page feature (v4.8): pages are marked with
     * __SetPageMovable() under their lock on an anon inode's mapping; isolate_page takes a page off
     * the list, putback_page puts it back; migratepage takes a reference on the new page and marks
     * it, clears the old one (__ClearPageMovable()) and drops the driver's reference to it.
     */
    static final class NonLru2016 extends TestDriver<MovablePages2016> implements AddressSpaceOperations {
        final AddressSpace mapping;

        NonLru2016(MemoryManager mm, MovablePages2016 mp) {
            super(mm, mp);
            mapping = mp.allocAnonInode(this, this);
        }

        @Override
        int add() {
            int pfn = allocPage();
            mm.lockPage(pfn);
            mp.setPageMovable(pfn, mapping);
            mm.unlockPage(pfn);
            listAdd(pfn);
            return pfn;
        }

        @Override
        void release(int pfn) {
            listDel(pfn);
            mm.lockPage(pfn);
            mp.clearPageMovable(pfn);
            mm.unlockPage(pfn);
            mm.putPage(pfn);
        }

        @Override
        void releaseIsolated(int pfn) {
            mm.lockPage(pfn);
            mp.clearPageMovable(pfn);
            mm.unlockPage(pfn);
            mm.putPage(pfn);
        }

        @Override
        void unregister() {
            mp.iput(mapping);
        }

        @Override
        boolean isMine(int pfn) {
            return mp.pageMovableHint(pfn) && mp.pageMapping(pfn) == mapping;
        }

        @Override
        public boolean isolatePage(int pfn, int isolateMode) {
            isolated(pfn);
            return true;
        }

        @Override
        public void putbackPage(int pfn) {
            putBack(pfn);
        }

        @Override
        public int migratepage(AddressSpace m, int newPfn, int pfn, MigrateMode mode) {
            int rc = nextAnswer(pfn);
            if (rc != 0) {
                return rc;
            }
            mm.getPage(newPfn);
            mp.setPageMovable(newPfn, mapping);
            moved(pfn, newPfn);
            mp.clearPageMovable(pfn);
            mm.putPage(pfn);
            return 0;
        }
    }

    /**
     * 2025: a balloon of v6.17: movable_ops registered once for PGTY_offline; its pages are
     * PageOffline with PG_movable_ops, and page->private names the device while they are inflated.
     */
    static final class MovableOps2025 extends TestDriver<MovablePages2025> implements MovableOperations {
        static final int DEVICE = 0x17;

        MovableOps2025(MemoryManager mm, MovablePages2025 mp) {
            super(mm, mp);
            assertThat(mp.setMovableOps(this, PageType.OFFLINE)).as("set_movable_ops(ops, PGTY_offline)").isZero();
        }

        @Override
        int add() {
            int pfn = allocPage();
            mp.setPageOffline(pfn);
            mp.setPageMovableOps(pfn);
            mp.setPagePrivate(pfn, DEVICE);
            listAdd(pfn);
            return pfn;
        }

        @Override
        void release(int pfn) {
            listDel(pfn);
            mp.setPagePrivate(pfn, 0); // balloon_page_finalize(); PageOffline stays until the page is freed
            mm.putPage(pfn);
        }

        @Override
        void releaseIsolated(int pfn) {
            mp.setPagePrivate(pfn, 0);
            mm.putPage(pfn);
        }

        @Override
        void unregister() {
            assertThat(mp.setMovableOps(null, PageType.OFFLINE)).as("set_movable_ops(NULL, PGTY_offline)").isZero();
        }

        @Override
        boolean isMine(int pfn) {
            return mp.pageHasMovableOps(pfn) && mp.pagePrivate(pfn) == DEVICE;
        }

        @Override
        public boolean isolatePage(int pfn, int isolateMode) {
            if (mp.pagePrivate(pfn) != DEVICE) {
                return false;
            }
            isolated(pfn);
            return true;
        }

        @Override
        public int migratePage(int dstPfn, int srcPfn, MigrateMode mode) {
            int rc = nextAnswer(srcPfn);
            if (rc != 0) {
                return rc;
            }
            mm.getPage(dstPfn);
            mp.setPageOffline(dstPfn);
            mp.setPageMovableOps(dstPfn);
            mp.setPagePrivate(dstPfn, DEVICE);
            moved(srcPfn, dstPfn);
            mp.setPagePrivate(srcPfn, 0);
            mm.putPage(srcPfn);
            return 0;
        }

        @Override
        public void putbackPage(int pfn) {
            putBack(pfn);
        }
    }
}
