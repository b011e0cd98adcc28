package org.mmlab.aeration.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.mmlab.mm.hinting.PageAllocHinting;

/**
 * What a design did since it started (not in the kernel: the lab's comparison of designs): calls of
 * the device, pages handed to the host, passes of the work, and how long the design held zone-&gt;lock,
 * which its spin_lock()/spin_unlock() here time.
 */
final class HintingStats {
    final LongAdder hints = new LongAdder();
    final LongAdder pagesHinted = new LongAdder();
    final LongAdder passes = new LongAdder();
    private final LongAdder lockHeldNs = new LongAdder();
    private final LongAdder lockSections = new LongAdder();
    private final AtomicLong lockHeldMaxNs = new AtomicLong();

    /** spin_lock(&zone->lock); returns when, for {@link #unlock}. */
    long lock(PageAllocHinting core, int zone) {
        core.spinLock(zone);
        return System.nanoTime();
    }

    /** spin_unlock(&zone->lock), counting how long it was held since the matching lock(). */
    void unlock(PageAllocHinting core, int zone, long since) {
        long held = System.nanoTime() - since;
        core.spinUnlock(zone);
        lockHeldNs.add(held);
        lockSections.increment();
        lockHeldMaxNs.accumulateAndGet(held, Math::max);
    }

    /** A call of the device that handed it these pages (0 if it failed). */
    void hinted(long pages) {
        hints.increment();
        pagesHinted.add(pages);
    }

    long lockHeldNs() {
        return lockHeldNs.sum();
    }

    long lockHeldMaxNs() {
        return lockHeldMaxNs.get();
    }

    long lockSections() {
        return lockSections.sum();
    }
}
