package org.mmlab.mm.internal;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.mmlab.mm.PageFlags;

/**
 * Models the page lock (mm/filemap.c): PG_locked taken with an atomic test-and-set; a task that
 * has to wait sets PG_waiters and sleeps on one of 256 hashed wait queues (folio_wait_table),
 * and unlock_page() wakes that queue only when PG_waiters says someone is there. For lockdep all
 * page locks are one class, "page lock", held per task (a page unlocked by another task than the one
 * that locked it is a bad unlock balance, as lockdep would have it).
 */
final class PageLock {
    private static final int PAGE_WAIT_TABLE_BITS = 8;

    private final MemMap map;
    private final MmDebug debug;
    /** unlock_page() is a RELEASE (clear_bit_unlock()): it drains this CPU's store buffer. */
    private final StoreBuffer storeBuffer;
    private final Lockdep lockdep;
    private final Lockdep.LockClass lockClass;
    private final ReentrantLock[] queues = new ReentrantLock[1 << PAGE_WAIT_TABLE_BITS];
    private final Condition[] wakeups = new Condition[queues.length];

    PageLock(MemMap map, MmDebug debug, StoreBuffer storeBuffer) {
        this.map = map;
        this.debug = debug;
        this.storeBuffer = storeBuffer;
        this.lockdep = debug.lockdep();
        this.lockClass = lockdep.lockClass("page lock");
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new ReentrantLock();
            wakeups[i] = queues[i].newCondition();
        }
    }

    private static int hash(int pfn) {
        return (pfn * 0x9E3779B9) >>> (32 - PAGE_WAIT_TABLE_BITS);
    }

    /** trylock_page(). */
    boolean trylock(int pfn) {
        boolean locked = testAndSetLocked(pfn);
        if (locked && lockdep.on) {
            lockdep.acquire(lockClass, true);
        }
        return locked;
    }

    private boolean testAndSetLocked(int pfn) {
        return !map.testAndSetFlag(pfn, PageFlags.PG_locked);
    }

    /** lock_page(): sleeps uninterruptibly (TASK_UNINTERRUPTIBLE) until the lock is ours. */
    void lock(int pfn) {
        if (lockdep.on) {
            lockdep.acquire(lockClass, false);
        }
        if (testAndSetLocked(pfn)) {
            return;
        }
        int q = hash(pfn);
        queues[q].lock();
        try {
            while (true) {
                map.setFlag(pfn, PageFlags.PG_waiters);
                if (testAndSetLocked(pfn)) {
                    return;
                }
                wakeups[q].awaitUninterruptibly();
            }
        } finally {
            queues[q].unlock();
        }
    }

    /**
     * folio_wait_locked() (as migration_entry_wait_on_locked() uses it): sleep until the page is
     * unlocked, without taking the lock.
     */
    void waitUnlocked(int pfn) {
        if (!map.testFlag(pfn, PageFlags.PG_locked)) {
            return;
        }
        int q = hash(pfn);
        queues[q].lock();
        try {
            while (true) {
                map.setFlag(pfn, PageFlags.PG_waiters);
                if (!map.testFlag(pfn, PageFlags.PG_locked)) {
                    return;
                }
                wakeups[q].awaitUninterruptibly();
            }
        } finally {
            queues[q].unlock();
        }
    }

    /** unlock_page(): VM_BUG_ON_PAGE(!PageLocked) with CONFIG_DEBUG_VM, then wake any waiters. */
    void unlock(int pfn) {
        if (debug.debugVm() && !map.testFlag(pfn, PageFlags.PG_locked)) {
            throw debug.vmBugOnPage(pfn, "!folio_test_locked(folio)", "mm/filemap.c:1511", "v6.18.2");
        }
        if (lockdep.on) {
            lockdep.release(lockClass);
        }
        storeBuffer.drain();
        map.clearFlag(pfn, PageFlags.PG_locked);
        if (map.testFlag(pfn, PageFlags.PG_waiters)) {
            int q = hash(pfn);
            queues[q].lock();
            try {
                map.clearFlag(pfn, PageFlags.PG_waiters);
                wakeups[q].signalAll();
            } finally {
                queues[q].unlock();
            }
        }
    }
}
