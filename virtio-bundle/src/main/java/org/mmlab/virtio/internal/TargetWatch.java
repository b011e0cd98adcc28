package org.mmlab.virtio.internal;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.mmlab.virtio.VirtioBalloonState;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;

/**
 * Watches a device's driver go to its host's target and keeps the promise of it (not in the kernel: the
 * host's wait, as QEMU's balloon does for a target it set). The driver has no event for "at the target
 * and idle", and a stall is the absence of progress for a while, so one thread of this bundle samples
 * each watched device every {@value #SAMPLE_MS} ms, as virtio:target did in the shell before, and at once
 * each time one of the driver's work items ended (a step towards the target: the sample that finds it
 * there need not wait for the period); the callers wait on the promise. Progress and stalls are judged by
 * {@link TargetProgress}.
 */
final class TargetWatch implements AutoCloseable {
    /** How long the driver may come no closer to the target before the wait says why it stopped. */
    static final long STALL_MS = 5_000;
    /**
     * Often enough that a caller learns of the target within a millisecond: the race lab waits for device 0
     * after every start of virtio-bundle (race 8: every schedule), and a 5 ms period cost it half of that a
     * run on average.
     */
    static final long SAMPLE_MS = 1;
    /** An acknowledgement this late is why a balloon stalls; one that is merely in progress is not. */
    static final long SLOW_ACK_MS = 1_000;

    private final long sampleMs;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "virtio-target-watch");
        t.setDaemon(true);
        return t;
    });
    /** Promises not kept yet, failed if this bundle stops; guarded by this. */
    private final Set<Deferred<VirtioBalloonState>> pending = new HashSet<>();

    TargetWatch() {
        this(SAMPLE_MS);
    }

    /** Sampling every sampleMs (tests: a period no wait could see out, so that only the driver's work samples). */
    TargetWatch(long sampleMs) {
        this.sampleMs = sampleMs;
    }

    /** The host asks device d for pages; the promise of the driver getting there. */
    Promise<VirtioBalloonState> setTarget(VirtioBalloonDevice d, long pages) {
        Deferred<VirtioBalloonState> done = new Deferred<>();
        // a stall is judged only after the driver's own patience with the host has run out
        TargetProgress progress = new TargetProgress(pages, d.driver().numPages(), d.driver().oomDeflatedPages(),
                Math.max(STALL_MS, d.driver().ackTimeoutMs() + 1_000), System.currentTimeMillis());
        d.host().setTarget(pages);
        synchronized (this) {
            pending.add(done);
        }
        Runnable sample = () -> sample(d, pages, progress, done);
        ScheduledFuture<?> sampling = sampler.scheduleWithFixedDelay(sample, 0, sampleMs, TimeUnit.MILLISECONDS);
        Runnable workDone = () -> sampleNow(sample);
        d.driver().onWorkDone(workDone);
        done.getPromise().onResolve(() -> {
            sampling.cancel(false);
            d.driver().ignoreWorkDone(workDone);
        });
        return done.getPromise();
    }

    /** A sample on the sampling thread now, unless this bundle stopped. */
    private void sampleNow(Runnable sample) {
        try {
            sampler.execute(sample);
        } catch (RejectedExecutionException e) {
            // closed: the promise failed with it
        }
    }

    private void sample(VirtioBalloonDevice d, long pages, TargetProgress progress, Deferred<VirtioBalloonState> done) {
        try {
            long now = d.driver().numPages();
            if (!d.live()) {
                settle(done, null, new IllegalStateException(String.format("device %s was removed at %d of %d pages",
                        d.deviceName(), now, pages)));
                return;
            }
            if (now == pages && d.host().actual() == pages && d.driver().idle()) {
                VirtioBalloonState s = d.state();
                if (s.isolatedPages() == 0) {
                    settle(done, s, null);
                    return;
                }
            }
            long t = System.currentTimeMillis();
            progress.sample(now, d.driver().oomDeflatedPages(), t);
            if (d.vdev().broken() || progress.stalled(t)) {
                settle(done, null, new IllegalStateException(String.format("device %s stopped at %d of %d pages: %s",
                        d.deviceName(), now, pages, why(d, now, pages, progress))));
            }
        } catch (RuntimeException e) {
            settle(done, null, e);
        }
    }

    /** Keeps the promise with state, or breaks it with failure, unless that was done already. */
    private synchronized void settle(Deferred<VirtioBalloonState> done, VirtioBalloonState state, Throwable failure) {
        if (pending.remove(done)) {
            if (failure == null) {
                done.resolve(state);
            } else {
                done.fail(failure);
            }
        }
    }

    /**
     * Why the driver came no closer: the device broke; the OOM notifier took back what it gave (even while
     * a buffer is in flight: that buffer is no reason, only the last step of the balloon's back and forth);
     * the host holds up its acknowledgement; the guest has no free page; migration holds pages.
     */
    static String why(VirtioBalloonDevice d, long now, long pages, TargetProgress progress) {
        if (d.vdev().broken()) {
            return "the device is broken: the host did not acknowledge a buffer in time (see mm:dmesg)";
        }
        long oomDeflated = progress.oomDeflatedSinceBest(d.driver().oomDeflatedPages());
        if (now < pages && oomDeflated > 0) {
            return String.format("the OOM notifier keeps deflating the balloon (DEFLATE_ON_OOM): the guest needs that"
                    + " memory, so the target cannot be reached (the balloon held %d pages at most; %d pages deflated"
                    + " on OOM since then)", progress.closest(), oomDeflated);
        }
        long waiting = d.driver().waitingForAckMs();
        if (waiting >= SLOW_ACK_MS) { // a shorter wait is the host at work, which a balloon that moves always catches
            return "the host has not acknowledged the last request for " + waiting + " ms (virtio:host "
                    + d.deviceName() + " shows its behaviour)";
        }
        if (now < pages) {
            return "the guest has no free page to give (\"Out of puff!\" in mm:dmesg); the driver keeps trying";
        }
        VirtioBalloonState s = d.state();
        return s.isolatedPages() > 0 ? s.isolatedPages() + " pages are isolated by migration; the driver keeps trying"
                : "no closer to the target for " + STALL_MS / 1000 + " s; the driver keeps trying";
    }

    /** This bundle stops: the promises not kept yet fail, and the thread goes. */
    @Override
    public synchronized void close() {
        sampler.shutdownNow();
        pending.forEach(p -> p.fail(new IllegalStateException("virtio-bundle stopped")));
        pending.clear();
    }
}
