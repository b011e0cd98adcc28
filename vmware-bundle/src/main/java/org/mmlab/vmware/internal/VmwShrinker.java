package org.mmlab.vmware.internal;

import java.util.concurrent.TimeUnit;

import org.mmlab.mm.Shrinker;

/**
 * Models the "vmw-balloon" shrinker of vmw_balloon.c (v6.18.2; module parameter
 * vmwballoon_shrinker_enable, off by default, "as it may degrade performance"): under memory pressure it
 * deflates the balloon, coordinated with the host, if conf_sem can be taken for reading at once, and
 * then keeps inflation off for VMBALLOON_SHRINK_DELAY seconds, so the balloon does not grow and shrink
 * in turn.
 */
final class VmwShrinker implements Shrinker {
    private final VmwBalloon b;

    VmwShrinker(VmwBalloon b) {
        this.b = b;
    }

    /** vmballoon_register_shrinker(). */
    void register() {
        b.mm.registerShrinker("vmw-balloon", this);
    }

    /** vmballoon_unregister_shrinker(). */
    void unregister() {
        b.mm.unregisterShrinker(this);
    }

    /** vmballoon_shrinker_count(): the balloon's frames. */
    @Override
    public long countObjects() {
        return b.size.get();
    }

    /** vmballoon_shrinker_scan(). */
    @Override
    public long scanObjects(long nrToScan) {
        b.stats.genAdd(VmwStats.General.SHRINK, 1);
        if (!b.confSem.readLock().tryLock()) {
            return 0; // "if the lock is also contended for read, we cannot easily reclaim and we bail out"
        }
        try {
            long deflatedFrames = b.pages.vmballoonDeflate(nrToScan, true);
            b.stats.genAdd(VmwStats.General.SHRINK_FREE, deflatedFrames);
            b.shrinkTimeout = System.nanoTime() + TimeUnit.SECONDS.toNanos(Protocol.VMBALLOON_SHRINK_DELAY_S);
            return deflatedFrames;
        } finally {
            b.confSem.readLock().unlock();
        }
    }
}
