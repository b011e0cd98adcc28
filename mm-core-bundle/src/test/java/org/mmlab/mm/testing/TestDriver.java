package org.mmlab.mm.testing;

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
 * A small balloon-like driver for tests, one subclass per migration contract, each marking its pages
 * movable that contract's way and following its rules for page->mapping, references and flags. It uses
 * nothing but the exported API (a MemoryManager and a MovablePages service), so the same driver runs in
 * mm-core's unit tests and, embedded in the in-framework tests' bundle, inside Felix (where it gets
 * the test bundle's own MovablePages service, and the core's registry names the test bundle as the owner).
 *
 * <p>The driver keeps its pages on its own list, threaded through page->lru as a balloon's is, under its
 * own lock ({@code pages_lock}), and writes down what migration asked of it, in all and page by page.
 * Its migrate callback answers what the test scripted (for a page, {@link #answer}, or for any page,
 * {@link #answerAll}), and migrates the page otherwise.
 *
 * @param <P> the movable-page service of its contract (mm-core's tests give it the implementation)
 */
public abstract class TestDriver<P extends MovablePages> implements AutoCloseable {
    /** What balloon_page_alloc() asks for. */
    public static final int GFP_BALLOON = Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOMEMALLOC | Gfp.__GFP_NORETRY
            | Gfp.__GFP_NOWARN;

    public final MemoryManager mm;
    /** The driver's movable-page service, of the guest's contract. */
    public final P mp;
    /** b_dev_info->pages_lock: guards the page list and the call records. */
    public final ReentrantLock pagesLock = new ReentrantLock();
    /** The head of the driver's page list. */
    private final int pages;
    private int nrPages;
    private boolean refuseIsolate;
    private final Deque<Integer> answersForAny = new ArrayDeque<>();
    private final Map<Integer, Deque<Integer>> answers = new HashMap<>();
    private final Map<Integer, Integer> isolateCalls = new HashMap<>();
    private final Map<Integer, Integer> migrateCalls = new HashMap<>();
    private final Map<Integer, Integer> putbackCalls = new HashMap<>();
    private final Map<Integer, Integer> movedTo = new HashMap<>();
    private final Map<Integer, Runnable> onIsolate = new HashMap<>();

    protected TestDriver(MemoryManager mm, P mp) {
        this.mm = mm;
        this.mp = mp;
        this.pages = mm.listHeadAlloc();
    }

    /** The driver of the contract the guest runs, registered with the core. */
    public static TestDriver<?> of(MemoryManager mm, MovablePages mp) {
        if (mp instanceof MovablePages2012 p) {
            return new Balloon2012<>(mm, p);
        }
        if (mp instanceof MovablePages2016 p) {
            return new NonLru2016<>(mm, p);
        }
        return new MovableOps2025<>(mm, (MovablePages2025) mp);
    }

    /** Allocates one page and makes it movable the contract's way (2012: inflates it); returns its PFN. */
    public abstract int add();

    /** Gives a page on the driver's list back to the guest (it is not isolated): off the list, then released. */
    public void release(int pfn) {
        listDel(pfn);
        releaseIsolated(pfn);
    }

    /**
     * Lets go of a page migration has isolated (it is off the driver's list, and its lock is free):
     * the owner's release path, racing migration. Not possible in 2012, whose balloon only dequeues
     * pages on its list.
     */
    public abstract void releaseIsolated(int pfn);

    /** Undoes the registration: frees the mapping, or sets the movable_ops to NULL. */
    public abstract void unregister();

    /** Whether the page is movable as this driver's, by the contract's own tests. */
    public abstract boolean isMine(int pfn);

    /** Adds n pages; returns their PFNs in the order they were allocated. */
    public List<Integer> add(int n) {
        List<Integer> added = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            added.add(add());
        }
        return added;
    }

    /** The next migrations of pfn return these codes, in order; after them the driver migrates it. */
    public void answer(int pfn, int... rcs) {
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

    /** The next migrations of any page return these codes, in order (after a page's own answers). */
    public void answerAll(int... rcs) {
        pagesLock.lock();
        try {
            for (int rc : rcs) {
                answersForAny.add(rc);
            }
        } finally {
            pagesLock.unlock();
        }
    }

    /** Forgets the answers {@link #answerAll} scripted and no migration has taken yet. */
    public void forgetAnswers() {
        pagesLock.lock();
        try {
            answersForAny.clear();
        } finally {
            pagesLock.unlock();
        }
    }

    /** From now on the isolate callback refuses (2016 and 2025: isolate_page returns false). */
    public void refuseIsolation(boolean refuse) {
        pagesLock.lock();
        try {
            refuseIsolate = refuse;
        } finally {
            pagesLock.unlock();
        }
    }

    /** When pfn is isolated, the driver runs this in its isolate callback (with pfn's lock held by the core). */
    public void whenIsolated(int pfn, Runnable action) {
        pagesLock.lock();
        try {
            onIsolate.put(pfn, action);
        } finally {
            pagesLock.unlock();
        }
    }

    /** The driver's list now, from its head. */
    public Set<Integer> pages() {
        pagesLock.lock();
        try {
            Set<Integer> out = new LinkedHashSet<>();
            for (int p = mm.listNext(pages); p != pages; p = mm.listNext(p)) {
                out.add(p);
            }
            return out;
        } finally {
            pagesLock.unlock();
        }
    }

    /** Whether pfn is on the driver's list. */
    public boolean owns(int pfn) {
        return pages().contains(pfn);
    }

    /** Pages on the driver's list. */
    public int nrPages() {
        pagesLock.lock();
        try {
            return nrPages;
        } finally {
            pagesLock.unlock();
        }
    }

    public int isolateCalls() {
        return total(isolateCalls);
    }

    public int isolateCalls(int pfn) {
        return count(isolateCalls, pfn);
    }

    public int migrateCalls() {
        return total(migrateCalls);
    }

    public int migrateCalls(int pfn) {
        return count(migrateCalls, pfn);
    }

    public int putbackCalls() {
        return total(putbackCalls);
    }

    public int putbackCalls(int pfn) {
        return count(putbackCalls, pfn);
    }

    /** Where a successful migration moved pfn, or null. */
    public Integer movedTo(int pfn) {
        pagesLock.lock();
        try {
            return movedTo.get(pfn);
        } finally {
            pagesLock.unlock();
        }
    }

    /** Every page back to the guest, then the registration undone and the list head freed. */
    @Override
    public void close() {
        for (int pfn : pages()) {
            release(pfn);
        }
        unregister();
        mm.listHeadFree(pages);
    }

    // ---------------------------------------------------------------- for the contracts' drivers

    /** balloon_page_alloc(). */
    public int allocPage() {
        int pfn = mm.allocPages(GFP_BALLOON, 0);
        assertThat(pfn).as("balloon_page_alloc()").isNotEqualTo(Mm.NO_PAGE);
        return pfn;
    }

    /** list_add(&page->lru, &pages): the page joins the driver's list. */
    public void listAdd(int pfn) {
        pagesLock.lock();
        try {
            assertThat(mm.listAdd(pfn, pages)).as("pfn %#x joins the driver's list", pfn).isTrue();
            nrPages++;
        } finally {
            pagesLock.unlock();
        }
    }

    /** list_del(&page->lru): the page leaves the driver's list, where it must be. */
    public void listDel(int pfn) {
        pagesLock.lock();
        try {
            assertThat(owns(pfn)).as("pfn %#x is on the driver's list", pfn).isTrue();
            assertThat(mm.listDel(pfn)).as("pfn %#x leaves the driver's list", pfn).isTrue();
            nrPages--;
        } finally {
            pagesLock.unlock();
        }
    }

    /** The isolate callback: recorded, and the page off the list; false if the driver refuses. */
    protected boolean isolated(int pfn) {
        Runnable action;
        pagesLock.lock();
        try {
            isolateCalls.merge(pfn, 1, Integer::sum);
            if (refuseIsolate) {
                return false;
            }
            listDel(pfn);
            action = onIsolate.remove(pfn);
        } finally {
            pagesLock.unlock();
        }
        if (action != null) {
            action.run();
        }
        return true;
    }

    /** The putback callback: recorded, and the page back on the list. */
    protected void putBack(int pfn) {
        pagesLock.lock();
        try {
            putbackCalls.merge(pfn, 1, Integer::sum);
            listAdd(pfn);
        } finally {
            pagesLock.unlock();
        }
    }

    /** Counts a migrate call for src and returns the scripted answer, or 0: go ahead and migrate. */
    protected int nextAnswer(int src) {
        pagesLock.lock();
        try {
            migrateCalls.merge(src, 1, Integer::sum);
            Deque<Integer> q = answers.get(src);
            Integer rc = q == null || q.isEmpty() ? answersForAny.poll() : q.poll();
            return rc == null ? 0 : rc;
        } finally {
            pagesLock.unlock();
        }
    }

    /** Records a successful migration: dst is the driver's now, in place of src. */
    protected void moved(int src, int dst) {
        pagesLock.lock();
        try {
            movedTo.put(src, dst);
            listAdd(dst);
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

    private int total(Map<Integer, Integer> calls) {
        pagesLock.lock();
        try {
            return calls.values().stream().mapToInt(Integer::intValue).sum();
        } finally {
            pagesLock.unlock();
        }
    }

    /**
     * 2012: a virtio-balloon of v3.8. balloon_page_enqueue() allocates, locks the new page (BUG_ON if it
     * cannot), sets page->mapping under pages_lock (rule i) and lists it; the isolation and putback hooks
     * take it off and put it back on the list; virtballoon_migratepage() inserts the new page and deletes
     * the old one; balloon_page_dequeue() skips pages it cannot lock and pages that are isolated (they are
     * not on the list), and balloon_page_free() drops the dequeue reference and the balloon's.
     */
    public static final class Balloon2012<P extends MovablePages2012> extends TestDriver<P>
            implements BalloonHooks2012, AddressSpaceOperations {
        public final AddressSpace mapping;
        private int isolatedPages;

        public Balloon2012(MemoryManager mm, P mp) {
            super(mm, mp);
            mapping = mp.balloonMappingAlloc(this, this);
        }

        /** balloon_page_enqueue(). */
        @Override
        public int add() {
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

        /** balloon_page_dequeue() + balloon_page_free() of this page, which nobody else holds locked. */
        @Override
        public void release(int pfn) {
            assertThat(mm.trylockPage(pfn)).as("nobody else holds pfn %#x's lock", pfn).isTrue();
            dequeueLocked(pfn);
        }

        /** balloon_page_dequeue() + balloon_page_free(): the first page it can lock given back, or NO_PAGE. */
        public int deflate() {
            for (int pfn : pages()) {
                if (mm.trylockPage(pfn)) {
                    dequeueLocked(pfn);
                    return pfn;
                }
            }
            pagesLock.lock();
            try {
                assertThat(nrPages() != 0 || isolatedPages != 0).as("BUG(): balloon pages are lost").isTrue();
            } finally {
                pagesLock.unlock();
            }
            return Mm.NO_PAGE;
        }

        private void dequeueLocked(int pfn) {
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

        /** Pages migration holds isolated now. */
        public int isolatedPages() {
            pagesLock.lock();
            try {
                return isolatedPages;
            } finally {
                pagesLock.unlock();
            }
        }

        @Override
        public void releaseIsolated(int pfn) {
            throw new UnsupportedOperationException("a v3.8 balloon dequeues only pages on its list: pfn "
                    + Integer.toHexString(pfn) + " is isolated");
        }

        @Override
        public void unregister() {
            mp.balloonMappingFree(mapping);
        }

        @Override
        public boolean isMine(int pfn) {
            return mp.balloonPageDevice(pfn) == this;
        }

        @Override
        public void isolatePage(int pfn) {
            pagesLock.lock();
            try {
                assertThat(isolated(pfn)).as("a 2012 balloon cannot refuse an isolation").isTrue();
                isolatedPages++;
            } finally {
                pagesLock.unlock();
            }
        }

        @Override
        public void putbackPage(int pfn) {
            pagesLock.lock();
            try {
                putBack(pfn);
                isolatedPages--;
            } finally {
                pagesLock.unlock();
            }
        }

        /** virtballoon_migratepage() of v3.8: newpage into the balloon, page out of it (and the host told). */
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
                isolatedPages--;
            } finally {
                pagesLock.unlock();
            }
            mp.balloonPageClearMapping(pfn);
            return 0;
        }
    }

    /**
     * 2016: a driver of the non-LRU movable page feature (v4.8, as virtio-balloon used it): pages are
     * marked with __SetPageMovable() under their lock on an anon inode's mapping; isolate_page takes a
     * page off the list, putback_page puts it back; migratepage takes a reference on the new page and
     * marks it, clears the old one (__ClearPageMovable()) and drops the driver's reference to it.
     */
    public static final class NonLru2016<P extends MovablePages2016> extends TestDriver<P>
            implements AddressSpaceOperations {
        public final AddressSpace mapping;

        public NonLru2016(MemoryManager mm, P mp) {
            super(mm, mp);
            mapping = mp.allocAnonInode(this, this);
        }

        @Override
        public int add() {
            int pfn = allocPage();
            mm.lockPage(pfn);
            mp.setPageMovable(pfn, mapping);
            mm.unlockPage(pfn);
            listAdd(pfn);
            return pfn;
        }

        /** __ClearPageMovable() under the page lock, then put_page(). */
        @Override
        public void releaseIsolated(int pfn) {
            mm.lockPage(pfn);
            mp.clearPageMovable(pfn);
            mm.unlockPage(pfn);
            mm.putPage(pfn);
        }

        @Override
        public void unregister() {
            mp.iput(mapping);
        }

        @Override
        public boolean isMine(int pfn) {
            return mp.pageMovableHint(pfn) && mp.pageMapping(pfn) == mapping;
        }

        @Override
        public boolean isolatePage(int pfn, int isolateMode) {
            return isolated(pfn);
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
     * 2025: a balloon of v6.17: movable_ops registered once for PGTY_offline; its pages are PageOffline
     * with PG_movable_ops, and page->private names the device while they are inflated.
     */
    public static final class MovableOps2025<P extends MovablePages2025> extends TestDriver<P>
            implements MovableOperations {
        public static final int DEVICE = 0x17;

        public MovableOps2025(MemoryManager mm, P mp) {
            super(mm, mp);
            assertThat(mp.setMovableOps(this, PageType.OFFLINE)).as("set_movable_ops(ops, PGTY_offline)").isZero();
        }

        @Override
        public int add() {
            int pfn = allocPage();
            mp.setPageOffline(pfn);
            mp.setPageMovableOps(pfn);
            mp.setPagePrivate(pfn, DEVICE);
            listAdd(pfn);
            return pfn;
        }

        /** Deflated (balloon_page_finalize(); PageOffline stays until the page is freed), its reference dropped. */
        @Override
        public void releaseIsolated(int pfn) {
            mp.setPagePrivate(pfn, 0);
            mm.putPage(pfn);
        }

        @Override
        public void unregister() {
            assertThat(mp.setMovableOps(null, PageType.OFFLINE)).as("set_movable_ops(NULL, PGTY_offline)").isZero();
        }

        @Override
        public boolean isMine(int pfn) {
            return mp.pageHasMovableOps(pfn) && mp.pagePrivate(pfn) == DEVICE;
        }

        @Override
        public boolean isolatePage(int pfn, int isolateMode) {
            if (mp.pagePrivate(pfn) != DEVICE) {
                return false;
            }
            return isolated(pfn);
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
