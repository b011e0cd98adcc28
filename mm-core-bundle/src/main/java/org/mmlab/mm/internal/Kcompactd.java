package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.admin.CompactStats;

/**
 * Models kcompactd (mm/compaction.c: kcompactd(), kcompactd_run(), kcompactd_stop(),
 * wakeup_kcompactd()): the node's background compaction thread, "kcompactd0". It sleeps on
 * kcompactd_wait for HPAGE_FRAG_CHECK_INTERVAL_MSEC (500 ms), or until woken for an order;
 * woken, it compacts for that order (kcompactd_do_work()); timed out, it compacts proactively
 * while the node's fragmentation score is above wmark_high, and waits 500 ms &lt;&lt;
 * COMPACT_MAX_DEFER_SHIFT (32 s) when a pass did not lower the score.
 *
 * <p>Rules: i. one thread at most (kcompactd_run() on a running one does nothing); ii. stop() sets
 * kthread_should_stop(), wakes the thread, which ends its compaction at the next batch, and joins
 * it; iii. the wake-up state (kcompactd_max_order, kcompactd_highest_zoneidx,
 * proactive_compact_trigger, whether it sleeps) is guarded by the wait queue's lock, never held
 * while compacting. The simulation has no kswapd, so the skip-bit flush kswapd does before it
 * sleeps (reset_isolation_suitable()) happens here, each time the thread goes to sleep.
 */
public final class Kcompactd {
    /** HPAGE_FRAG_CHECK_INTERVAL_MSEC: how often the fragmentation score is checked. */
    public static final long HPAGE_FRAG_CHECK_INTERVAL_MSEC = 500;
    /** MAX_SCHEDULE_TIMEOUT: sleep until woken (proactiveness 0). */
    static final long MAX_SCHEDULE_TIMEOUT = Long.MAX_VALUE;

    private final Compaction compaction;
    /** kcompactd_wait's lock and the wait queue itself. */
    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition kcompactdWait = waitLock.newCondition();
    // guarded by waitLock
    private int kcompactdMaxOrder;
    private int kcompactdHighestZoneidx;
    private boolean proactiveCompactTrigger;
    /** wq_has_sleeper(&kcompactd_wait). */
    private boolean sleeping;

    /** pgdat->kcompactd; guarded by this. */
    private Thread thread;
    private volatile boolean shouldStop;

    // for mm:kcompactd status
    private volatile long timeoutMs = HPAGE_FRAG_CHECK_INTERVAL_MSEC;
    private volatile int lastNodeScore = -1;
    private volatile int[] lastZoneScores = new int[0];
    private volatile long proactiveChecks;
    private volatile long proactivePasses;
    private volatile long passesWithoutProgress;
    private volatile long wakeups;
    private volatile String lastPass = "none yet";

    Kcompactd(Compaction compaction) {
        this.compaction = compaction;
        this.kcompactdHighestZoneidx = compaction.zones().length - 1;
    }

    /** kcompactd_run(): start the thread unless it runs. */
    public synchronized void run() {
        if (thread != null && thread.isAlive()) {
            return;
        }
        shouldStop = false;
        timeoutMs = compaction.compactionProactiveness() == 0 ? MAX_SCHEDULE_TIMEOUT : HPAGE_FRAG_CHECK_INTERVAL_MSEC;
        Thread t = new Thread(this::kcompactd, "kcompactd0");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** kcompactd_stop(): kthread_stop() and wait for the thread to end. Idempotent. */
    public synchronized void stop() {
        Thread t = thread;
        if (t == null) {
            return;
        }
        shouldStop = true;
        waitLock.lock();
        try {
            kcompactdWait.signalAll();
        } finally {
            waitLock.unlock();
        }
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        thread = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    public synchronized boolean running() {
        return thread != null && thread.isAlive();
    }

    /** kthread_should_stop(). */
    private boolean kthreadShouldStop() {
        return shouldStop;
    }

    /** kcompactd_work_requested(); waitLock held. */
    private boolean kcompactdWorkRequested() {
        return kcompactdMaxOrder > 0 || kthreadShouldStop() || proactiveCompactTrigger;
    }

    /**
     * wakeup_kcompactd(): remember the highest order and the tightest zone asked for; wake the
     * thread if it sleeps and some zone is worth compacting for the order.
     */
    void wakeupKcompactd(int order, int highestZoneidx) {
        if (order == 0) {
            return;
        }
        waitLock.lock();
        try {
            if (kcompactdMaxOrder < order) {
                kcompactdMaxOrder = order;
            }
            if (kcompactdHighestZoneidx > highestZoneidx) {
                kcompactdHighestZoneidx = highestZoneidx;
            }
            if (!sleeping) {
                return;
            }
        } finally {
            waitLock.unlock();
        }
        if (!compaction.kcompactdNodeSuitable(order, highestZoneidx)) {
            return;
        }
        waitLock.lock();
        try {
            kcompactdWait.signalAll();
        } finally {
            waitLock.unlock();
        }
    }

    /** The compaction_proactiveness sysctl's write: wake the thread for a proactive check now. */
    void proactiveCompactTrigger() {
        waitLock.lock();
        try {
            if (proactiveCompactTrigger) {
                return;
            }
            proactiveCompactTrigger = true;
            kcompactdWait.signalAll();
        } finally {
            waitLock.unlock();
        }
    }

    /**
     * wait_event_freezable_timeout(kcompactd_wait, kcompactd_work_requested(), timeout): true if
     * work was requested, false if the timeout passed first.
     */
    private boolean waitEventTimeout(long timeoutMillis) {
        waitLock.lock();
        try {
            long nanos = timeoutMillis == MAX_SCHEDULE_TIMEOUT ? Long.MAX_VALUE
                    : TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            sleeping = true;
            while (!kcompactdWorkRequested()) {
                if (nanos <= 0) {
                    return false;
                }
                try {
                    if (nanos == Long.MAX_VALUE) {
                        kcompactdWait.await();
                    } else {
                        nanos = kcompactdWait.awaitNanos(nanos);
                    }
                } catch (InterruptedException e) {
                    shouldStop = true; // the thread was killed
                }
            }
            return true;
        } finally {
            sleeping = false;
            waitLock.unlock();
        }
    }

    /** kcompactd(): the thread's loop. */
    private void kcompactd() {
        long defaultTimeout = HPAGE_FRAG_CHECK_INTERVAL_MSEC;
        long timeout = defaultTimeout;
        waitLock.lock();
        try {
            kcompactdMaxOrder = 0;
            kcompactdHighestZoneidx = compaction.zones().length - 1;
        } finally {
            waitLock.unlock();
        }
        try {
            while (!kthreadShouldStop()) {
                // kswapd's reset_isolation_suitable() before it sleeps (no kswapd in the simulation)
                compaction.skipHints.resetIsolationSuitable();
                // avoid the unnecessary wakeup for proactive compaction when it is disabled
                if (compaction.compactionProactiveness() == 0) {
                    timeout = MAX_SCHEDULE_TIMEOUT;
                }
                timeoutMs = timeout;
                boolean woken = waitEventTimeout(timeout);
                if (kthreadShouldStop()) {
                    break;
                }
                boolean trigger;
                waitLock.lock();
                try {
                    trigger = proactiveCompactTrigger;
                } finally {
                    waitLock.unlock();
                }
                if (woken && !trigger) {
                    wakeups++;
                    kcompactdDoWork();
                    // the defer timeout from proactive compaction is lost here: fine, the zone changed
                    timeout = defaultTimeout;
                    continue;
                }
                // the proactive work, with the default timeout unless the score says back off
                timeout = defaultTimeout;
                if (proactiveCompactionPass()) {
                    timeout = defaultTimeout << CompactionDefer.COMPACT_MAX_DEFER_SHIFT;
                }
                waitLock.lock();
                try {
                    proactiveCompactTrigger = false;
                } finally {
                    waitLock.unlock();
                }
            }
        } catch (RuntimeException | Error e) {
            // the thread died (a checker fired: BUG() in kcompactd); dmesg and the OSGi log say so
            compaction.guest.dmesg.warn("kcompactd0: died: " + e, e);
        }
        timeoutMs = timeout;
    }

    /** kcompactd_do_work() for the order and zone woken for; then the request is cleared, unless a tighter one came. */
    private void kcompactdDoWork() {
        int order;
        int highest;
        waitLock.lock();
        try {
            order = kcompactdMaxOrder;
            highest = kcompactdHighestZoneidx;
        } finally {
            waitLock.unlock();
        }
        compaction.kcompactdDoWork(order, highest, this::kthreadShouldStop);
        waitLock.lock();
        try {
            if (kcompactdMaxOrder <= order) {
                kcompactdMaxOrder = 0;
            }
            if (kcompactdHighestZoneidx >= highest) {
                kcompactdHighestZoneidx = compaction.zones().length - 1;
            }
        } finally {
            waitLock.unlock();
        }
        lastPass = "woken for order " + order;
    }

    /**
     * The proactive part of kcompactd()'s loop: if should_proactive_compact_node(), compact_node()
     * proactively and compare the node's score before and after. Returns true when kcompactd
     * should back off (a pass ran and the score did not go down).
     */
    boolean proactiveCompactionPass() {
        proactiveChecks++;
        int prevScore = compaction.score.fragmentationScoreNode();
        recordScores(prevScore);
        if (!compaction.score.shouldProactiveCompactNode()) {
            return false;
        }
        CompactStats s = compaction.compactNode(true, MigrateMode.SYNC_LIGHT, this::kthreadShouldStop);
        int score = compaction.score.fragmentationScoreNode();
        recordScores(score);
        proactivePasses++;
        boolean noProgress = score >= prevScore;
        if (noProgress) {
            passesWithoutProgress++;
        }
        lastPass = String.format("proactive: score %d -> %d, %d migrated, %d failed%s", prevScore, score, s.migrated(),
                s.failed(), noProgress ? " (no progress: backing off)" : "");
        return noProgress;
    }

    private void recordScores(int nodeScore) {
        Zone[] zones = compaction.zones();
        int[] scores = new int[zones.length];
        for (int i = 0; i < zones.length; i++) {
            scores[i] = compaction.score.fragmentationScoreZone(zones[i]);
        }
        lastZoneScores = scores;
        lastNodeScore = nodeScore;
    }

    /** Proactive passes run so far. */
    public long proactivePasses() {
        return proactivePasses;
    }

    /** What mm:kcompactd status prints. */
    public List<String> status() {
        List<String> out = new ArrayList<>();
        boolean on = running();
        int proactiveness = compaction.compactionProactiveness();
        out.add("kcompactd0: " + (on ? "running" : "stopped"));
        out.add(String.format("compaction_proactiveness %d (score watermarks: low %d, high %d), extfrag_threshold %d",
                proactiveness, compaction.score.fragmentationScoreWmark(true),
                compaction.score.fragmentationScoreWmark(false), compaction.extfragThreshold()));
        int[] zoneScores = lastZoneScores;
        StringBuilder sb = new StringBuilder("last score: ");
        if (lastNodeScore < 0) {
            sb.append("not measured yet");
        } else {
            sb.append("node 0 ").append(lastNodeScore);
            Zone[] zones = compaction.zones();
            for (int i = 0; i < zoneScores.length && i < zones.length; i++) {
                sb.append(", ").append(zones[i].name).append(' ').append(zoneScores[i]);
            }
        }
        out.add(sb.toString());
        out.add(String.format("now: node score %d", compaction.score.fragmentationScoreNode()));
        out.add(String.format("wakes: %d for an order (compact_daemon_wake %d), %d proactive checks, %d proactive"
                + " passes (%d without progress)", wakeups, compaction.guest.vmstat.get(VmItem.KCOMPACTD_WAKE),
                proactiveChecks, proactivePasses, passesWithoutProgress));
        long t = timeoutMs;
        String sleep = t == MAX_SCHEDULE_TIMEOUT ? "until woken (proactiveness 0)"
                : t > HPAGE_FRAG_CHECK_INTERVAL_MSEC ? t + " ms (backing off: the last pass made no progress)"
                : t + " ms";
        out.add("sleep: " + (on ? sleep : "-"));
        out.add("last pass: " + lastPass);
        out.addAll(compaction.zoneState());
        return out;
    }
}
