package org.mmlab.aeration.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Models what mm/page_reporting.c asks of RCU (include/linux/rcupdate.h): rcu_read_lock() sections
 * that never block writers, and synchronize_rcu(), which returns once every reader that was inside when
 * it began has left. Two counters by grace-period parity, as SRCU keeps them.
 */
final class Rcu {
    private final AtomicLongArray readers = new AtomicLongArray(2);
    private volatile int gp;

    /** rcu_read_lock(): returns the index rcu_read_unlock() takes. */
    int readLock() {
        while (true) {
            int idx = gp & 1;
            readers.incrementAndGet(idx);
            if ((gp & 1) == idx) {
                return idx;
            }
            readers.decrementAndGet(idx); // a grace period began meanwhile: count in the new one
        }
    }

    /** rcu_read_unlock(). */
    void readUnlock(int idx) {
        readers.decrementAndGet(idx);
    }

    /** synchronize_rcu(): waits out the readers of both parities, flipping twice. */
    synchronized void synchronizeRcu() {
        for (int i = 0; i < 2; i++) {
            int old = gp & 1;
            gp++;
            while (readers.get(old) != 0) {
                Thread.onSpinWait();
            }
        }
    }
}
