package org.mmlab.virtio.internal;

/**
 * The judge of a wait for a device's target (not in the kernel: what VirtioBalloons.setTarget() and so
 * virtio:target wait for): progress is coming closer to the target than ever before, not any change. A
 * balloon that inflates and is deflated again, as when the OOM notifier (DEFLATE_ON_OOM) takes back what
 * fill_balloon() gave, moves all the time without getting anywhere; it is stalled once it has not come
 * closer for stallMs. Times are the caller's clock, in ms.
 */
final class TargetProgress {
    private final long target;
    private final long stallMs;
    /** The closest the balloon came to the target (pages in it then), and when. */
    private long best;
    private long bestAt;
    /** The driver's count of pages the OOM notifier deflated, when the balloon was closest. */
    private long oomDeflatedAtBest;

    TargetProgress(long target, long numPages, long oomDeflated, long stallMs, long now) {
        this.target = target;
        this.stallMs = stallMs;
        this.best = numPages;
        this.bestAt = now;
        this.oomDeflatedAtBest = oomDeflated;
    }

    /** Records where the balloon is now; true if that is closer to the target than ever before. */
    boolean sample(long numPages, long oomDeflated, long now) {
        if (Math.abs(target - numPages) >= Math.abs(target - best)) {
            return false;
        }
        best = numPages;
        bestAt = now;
        oomDeflatedAtBest = oomDeflated;
        return true;
    }

    /** No new closest approach for longer than stallMs. */
    boolean stalled(long now) {
        return now - bestAt > stallMs;
    }

    /** Pages the OOM notifier deflated since the balloon was closest to the target. */
    long oomDeflatedSinceBest(long oomDeflated) {
        return oomDeflated - oomDeflatedAtBest;
    }

    /** The pages the balloon held when it was closest to the target. */
    long closest() {
        return best;
    }
}
