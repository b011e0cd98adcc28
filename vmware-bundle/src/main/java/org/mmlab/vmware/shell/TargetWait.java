package org.mmlab.vmware.shell;

/**
 * vmw:target's judge of its wait (not in the kernel): the wait goes on while the balloon comes closer to
 * the target than ever before; it has stalled once it has not for stallMs. Times are the caller's clock, ms.
 */
final class TargetWait {
    private final long target;
    private final long stallMs;
    private long best;
    private long bestAt;

    TargetWait(long target, long size, long stallMs, long now) {
        this.target = target;
        this.stallMs = stallMs;
        this.best = size;
        this.bestAt = now;
    }

    /** Records the balloon's size now. */
    void sample(long size, long now) {
        if (Math.abs(target - size) < Math.abs(target - best)) {
            best = size;
            bestAt = now;
        }
    }

    /** No new closest approach for longer than stallMs. */
    boolean stalled(long now) {
        return now - bestAt > stallMs;
    }
}
