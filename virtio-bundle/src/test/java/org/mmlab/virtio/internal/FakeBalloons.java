package org.mmlab.virtio.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonMigrate;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.VmEvent;

/**
 * A small in-memory mm/balloon.c for the driver's unit tests: one list per device under one
 * balloon_pages_lock (a spinlock: preemption off), counters, and the test's own isolate, putback and
 * migrate (the 2026 centralised bookkeeping around the driver's callback). Pages are not made
 * PageOffline (mm-core's API has no way to), so tests do not run mm:check on them.
 */
final class FakeBalloons implements Balloons {
    static final int GFP_BALLOON = Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOMEMALLOC | Gfp.__GFP_NORETRY
            | Gfp.__GFP_NOWARN;

    final class Dev implements BalloonDevInfo {
        final String name;
        final BalloonMigrate migratepage;
        final boolean adjust;
        final Deque<Integer> pages = new ArrayDeque<>();
        final Set<Integer> isolated = new HashSet<>();
        boolean removed;

        Dev(String name, BalloonMigrate migratepage, boolean adjust) {
            this.name = name;
            this.migratepage = migratepage;
            this.adjust = adjust;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long bundleId() {
            return 0;
        }

        @Override
        public long nrPages() {
            return pages.size();
        }

        @Override
        public long isolatedPages() {
            return isolated.size();
        }

        @Override
        public boolean adjustManagedPageCount() {
            return adjust;
        }

        @Override
        public boolean removed() {
            return removed;
        }

        @Override
        public boolean orphaned() {
            return false;
        }

        @Override
        public boolean mappingOwnedByDriver() {
            return false;
        }
    }

    final MemoryManager mm;
    final ReentrantLock balloonPagesLock = new ReentrantLock();
    final List<Dev> devs = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    /** Enqueues that succeed before the next one is a kernel BUG (a corrupted page), or -1 for none. */
    int enqueuesBeforeBug = -1;

    FakeBalloons(MemoryManager mm) {
        this.mm = mm;
    }

    private void lock() {
        mm.preemptDisable();
        balloonPagesLock.lock();
    }

    private void unlock() {
        balloonPagesLock.unlock();
        mm.preemptEnable();
    }

    @Override
    public MigrationContract contract() {
        return MigrationContract.MOVABLE_OPS_2025;
    }

    @Override
    public synchronized BalloonDevInfo balloonDevinfoInit(String name, BalloonMigrate migratepage, boolean adjust) {
        Dev d = new Dev(name, migratepage, adjust);
        devs.add(d);
        calls.add("balloonDevinfoInit " + name + " adjust=" + adjust);
        return d;
    }

    /** The v7 lifecycle belongs to the 2012 contract; this fake runs 2025's, and refuses it as the real one does. */
    @Override
    public BalloonDevInfo balloonDevinfoInit(String name, BalloonMigrate migratepage, boolean adjust,
            Supplier<AddressSpace> balloonMapping) {
        throw new IllegalStateException("the driver's own balloon_mapping belongs to the 2012 migration contract");
    }

    @Override
    public AddressSpace balloonMappingKmalloc() {
        throw new IllegalStateException("the driver's own balloon_mapping belongs to the 2012 migration contract");
    }

    @Override
    public void balloonMappingInit(BalloonDevInfo b, AddressSpace mapping) {
        throw new IllegalStateException("the driver's own balloon_mapping belongs to the 2012 migration contract");
    }

    @Override
    public void balloonMappingKfree(AddressSpace mapping) {
        throw new IllegalStateException("the driver's own balloon_mapping belongs to the 2012 migration contract");
    }

    @Override
    public void balloonDevinfoRemove(BalloonDevInfo b) {
        Dev d = (Dev) b;
        lock();
        try {
            if (!d.pages.isEmpty() || !d.isolated.isEmpty()) {
                throw new IllegalStateException(d.name + " still has " + d.pages.size() + " pages and "
                        + d.isolated.size() + " isolated");
            }
            d.removed = true;
            calls.add("balloonDevinfoRemove " + d.name);
        } finally {
            unlock();
        }
    }

    @Override
    public int balloonPageAlloc() {
        return mm.allocPages(GFP_BALLOON, 0);
    }

    @Override
    public void balloonPageEnqueue(BalloonDevInfo b, int pfn) {
        Dev d = (Dev) b;
        lock();
        try {
            if (enqueuesBeforeBug >= 0 && enqueuesBeforeBug-- == 0) {
                throw new KernelBug("BUG_ON(!trylock_page(page)) in balloon_page_enqueue (enqueuesBeforeBug)");
            }
            d.pages.addLast(pfn);
            if (d.adjust) {
                mm.adjustManagedPageCount(pfn, -1);
            }
            mm.countVmEvent(VmEvent.BALLOON_INFLATE);
        } finally {
            unlock();
        }
    }

    @Override
    public int balloonPageListEnqueue(BalloonDevInfo b, int[] pfns, int n) {
        for (int i = 0; i < n; i++) {
            balloonPageEnqueue(b, pfns[i]);
        }
        return n;
    }

    @Override
    public int balloonPageDequeue(BalloonDevInfo b) {
        Dev d = (Dev) b;
        lock();
        try {
            Integer pfn = d.pages.pollFirst();
            if (pfn == null) {
                if (d.isolated.isEmpty()) {
                    throw new KernelBug("balloon pages are lost");
                }
                return Mm.NO_PAGE;
            }
            if (d.adjust) {
                mm.adjustManagedPageCount(pfn, 1);
            }
            mm.countVmEvent(VmEvent.BALLOON_DEFLATE);
            return pfn;
        } finally {
            unlock();
        }
    }

    @Override
    public int balloonPageListDequeue(BalloonDevInfo b, int[] out, int nReq) {
        int n = 0;
        while (n < nReq) {
            int pfn = balloonPageDequeue(b);
            if (pfn == Mm.NO_PAGE) {
                break;
            }
            out[n++] = pfn;
        }
        return n;
    }

    @Override
    public void balloonPageDelete(BalloonDevInfo b, int pfn) {
        throw new IllegalStateException("virtio's pages migrate: it dequeues them, never deletes a named one");
    }

    @Override
    public void balloonPageMigrated(BalloonDevInfo b, int newPfn, int pfn) {
        throw new IllegalStateException("this fake runs the 2025 contract: the core accounts migrations");
    }

    @Override
    public void balloonPageDeflatedInMigration(BalloonDevInfo b, int pfn) {
        throw new IllegalStateException("virtio's migratepage never deflates a page itself");
    }

    @Override
    public List<BalloonDevInfo> devices() {
        return List.copyOf(devs);
    }

    /** balloon_page_isolate(): the first page off the list (migration's reference taken). */
    int isolateOne(BalloonDevInfo b) {
        Dev d = (Dev) b;
        lock();
        try {
            int pfn = d.pages.pollFirst();
            d.isolated.add(pfn);
            mm.getPage(pfn);
            return pfn;
        } finally {
            unlock();
        }
    }

    /** balloon_page_putback(). */
    void putback(BalloonDevInfo b, int pfn) {
        Dev d = (Dev) b;
        lock();
        try {
            d.isolated.remove(pfn);
            d.pages.addLast(pfn);
        } finally {
            unlock();
        }
        mm.putPage(pfn);
    }

    /** balloon_page_migrate() around the driver's callback (no lock held while it runs); returns its rc. */
    int migrate(BalloonDevInfo b, int newPfn, int pfn) {
        Dev d = (Dev) b;
        int rc = d.migratepage.migratepage(b, newPfn, pfn, MigrateMode.SYNC);
        if (rc < 0) {
            return rc;
        }
        lock();
        try {
            mm.getPage(newPfn);
            d.pages.addLast(newPfn);
            d.isolated.remove(pfn);
            mm.countVmEvent(VmEvent.BALLOON_MIGRATE);
        } finally {
            unlock();
        }
        mm.putPage(pfn); // the balloon's reference
        mm.putPage(pfn); // isolation's reference
        return 0;
    }
}
