package org.mmlab.mm.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock with its struct lockdep_map (include/linux/spinlock.h, lockdep.h): spin_lock() is
 * lock_acquire() then the lock, spin_trylock() annotates only when it got the lock, spin_unlock()
 * is lock_release() then the unlock. With lockdep off each costs one read of Lockdep.on more.
 */
final class DepMapLock extends ReentrantLock {
    private static final long serialVersionUID = 1L;

    private final transient Lockdep lockdep;
    private final transient Lockdep.LockClass lockClass;

    DepMapLock(Lockdep lockdep, String lockClass) {
        this.lockdep = lockdep;
        this.lockClass = lockdep.lockClass(lockClass);
    }

    @Override
    public void lock() {
        if (lockdep.on) {
            lockdep.acquire(lockClass, false);
        }
        super.lock();
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (lockdep.on) {
            lockdep.acquire(lockClass, false);
        }
        try {
            super.lockInterruptibly();
        } catch (InterruptedException e) {
            if (lockdep.on) {
                lockdep.release(lockClass);
            }
            throw e;
        }
    }

    @Override
    public boolean tryLock() {
        boolean locked = super.tryLock();
        if (locked && lockdep.on) {
            lockdep.acquire(lockClass, true);
        }
        return locked;
    }

    /** A timed try gives up instead of deadlocking: annotated as a trylock. */
    @Override
    public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
        boolean locked = super.tryLock(timeout, unit);
        if (locked && lockdep.on) {
            lockdep.acquire(lockClass, true);
        }
        return locked;
    }

    @Override
    public void unlock() {
        if (lockdep.on) {
            lockdep.release(lockClass);
        }
        super.unlock();
    }
}
