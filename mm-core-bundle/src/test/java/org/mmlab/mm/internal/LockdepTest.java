package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** kernel/locking/lockdep.c: the dependencies it records, the cycles and unlock imbalances it reports. */
class LockdepTest {
    private final Dmesg dmesg = new Dmesg();
    private final MmDebug debug = new MmDebug(dmesg, true, true);
    private final Lockdep lockdep = debug.lockdep();

    /** Runs body as a task started after the checker went on, so every lock it takes is seen. */
    static void inNewTask(Runnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "lockdep-task");
        t.start();
        t.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    private void lockPair(String outer, String inner) {
        lockdep.acquire(outer, false);
        lockdep.acquire(inner, false);
        lockdep.release(inner);
        lockdep.release(outer);
    }

    /** dmesg without the timestamps. */
    static String log(Dmesg dmesg) {
        StringBuilder sb = new StringBuilder();
        for (String line : dmesg.lines()) {
            sb.append(line.replaceFirst("^\\[[ 0-9.]+\\] ", "")).append('\n');
        }
        return sb.toString();
    }

    private String log() {
        return log(dmesg);
    }

    @Test
    void anInversionIsReportedOnceWithBothClassesAndTheDeadlockScenario() throws InterruptedException {
        lockdep.setOn(true);
        inNewTask(() -> {
            lockPair("&zone->lock", "lru_lock");
            lockPair("lru_lock", "&zone->lock");
            lockPair("lru_lock", "&zone->lock");
        });

        assertThat(debug.reports()).isEqualTo(1);
        String log = log();
        assertThat(log).containsOnlyOnce("WARNING: possible circular locking dependency detected")
                .contains("lockdep-task/", " is trying to acquire lock:\n", "(&zone->lock), at: LockdepTest.lockPair+")
                .contains("but task is already holding lock:\n", "(lru_lock), at: LockdepTest.lockPair+")
                .contains("which lock already depends on the new lock.")
                .contains("the existing dependency chain (in reverse order) is:")
                .contains("-> #1 (lru_lock):", "-> #0 (&zone->lock):")
                .contains(" Possible unsafe locking scenario:")
                .contains("  lock(lru_lock);\n", "                               lock(&zone->lock);\n",
                        "                               lock(lru_lock);\n", "  lock(&zone->lock);\n")
                .contains("*** DEADLOCK ***", "1 lock held by lockdep-task/")
                .doesNotContain("Chain exists of:");
        // the inverting dependency is not recorded: only the first order is
        assertThat(lockdep.dependencies()).containsExactly("&zone->lock -> lru_lock");
    }

    @Test
    void aCycleThroughAThirdClassNamesTheChain() throws InterruptedException {
        lockdep.setOn(true);
        inNewTask(() -> {
            lockPair("&vb->balloon_lock", "&b_dev_info->pages_lock");
            lockPair("&b_dev_info->pages_lock", "&zone->lock");
            lockPair("&zone->lock", "&vb->balloon_lock");
        });

        assertThat(debug.reports()).isEqualTo(1);
        assertThat(log()).contains("Chain exists of:\n  &vb->balloon_lock --> &b_dev_info->pages_lock --> &zone->lock")
                .contains("-> #2 (&zone->lock):", "-> #1 (&b_dev_info->pages_lock):", "-> #0 (&vb->balloon_lock):")
                .contains("*** DEADLOCK ***");
    }

    @Test
    void aTrylockIsHeldButRecordsNoDependency() throws InterruptedException {
        lockdep.setOn(true);
        inNewTask(() -> {
            lockdep.acquire("&vb->balloon_lock", false);
            lockdep.acquire("page lock", true); // trylock_page() under balloon_lock: cannot block
            assertThat(lockdep.heldClasses()).containsExactly("&vb->balloon_lock", "page lock");
            lockdep.acquire("&zone->lock", false); // blocks while holding both: recorded from each
            lockdep.release("&zone->lock");
            lockdep.release("page lock");
            lockdep.release("&vb->balloon_lock");
            lockPair("page lock", "&vb->balloon_lock");
        });

        assertThat(lockdep.dependencies()).containsExactly("&vb->balloon_lock -> &zone->lock",
                "page lock -> &vb->balloon_lock", "page lock -> &zone->lock");
        assertThat(debug.reports()).isZero();
    }

    @Test
    void releasingALockNotHeldIsABadUnlockBalance() throws InterruptedException {
        lockdep.setOn(true);
        inNewTask(() -> {
            lockdep.acquire("lru_lock", false);
            lockdep.release("&zone->lock");
            lockdep.release("lru_lock");
        });

        assertThat(debug.reports()).isEqualTo(1);
        assertThat(log()).contains("WARNING: bad unlock balance detected!",
                "lockdep-task/", " is trying to release lock (&zone->lock) at:\nLockdepTest.lambda$",
                "but there are no more locks to release!", "1 lock held by lockdep-task/", " #0: (lru_lock), at: ");
    }

    @Test
    void aPageUnlockedByAnotherTaskIsABadUnlockBalance() throws InterruptedException {
        GuestMemory g = new GuestMemory(MmConfig.parse("16M", "16M", "tag", true, true));
        g.debug.lockdep().setOn(true);
        int pfn = g.alloc.allocPages(org.mmlab.mm.Gfp.GFP_KERNEL, 0);
        inNewTask(() -> g.pageLock.lock(pfn));
        inNewTask(() -> g.pageLock.unlock(pfn));

        assertThat(g.debug.reports()).isEqualTo(1);
        assertThat(log(g.dmesg))
                .contains("is trying to release lock (page lock) at:", "no locks held by lockdep-task/");
    }

    @Test
    void offRecordsAndReportsNothing() throws InterruptedException {
        DepMapLock zoneLock = new DepMapLock(lockdep, "&zone->lock");
        DepMapLock lruLock = new DepMapLock(lockdep, "lru_lock");
        inNewTask(() -> {
            zoneLock.lock();
            lruLock.lock();
            lruLock.unlock();
            zoneLock.unlock();
            lruLock.lock();
            zoneLock.lock();
            zoneLock.unlock();
            lruLock.unlock();
        });

        assertThat(lockdep.on()).isFalse();
        assertThat(lockdep.dependencies()).isEmpty();
        assertThat(debug.reports()).isZero();
    }

    @Test
    void aLockTakenBeforeTheCheckerWentOnIsReleasedUnreported() {
        DepMapLock lruLock = new DepMapLock(lockdep, "lru_lock");
        lruLock.lock();
        lockdep.setOn(true);
        lruLock.unlock();

        assertThat(debug.reports()).isZero();
        assertThat(lockdep.heldClasses()).isEmpty();
    }

    @Test
    void onFromBootEveryTaskIsTrackedEvenOnesOlderThanTheGuest() {
        GuestMemory g = new GuestMemory(MmConfig.parse("16M", "16M", "tag", true, true).withLockdep(true));
        g.debug.lockdep().release("lru_lock");

        assertThat(g.debug.lockdep().on()).isTrue();
        assertThat(g.debug.reports()).isEqualTo(1);
        assertThat(log(g.dmesg)).contains("is trying to release lock (lru_lock) at:");
    }

    @Test
    void theLockItselfRecordsOrderAndTrylocks() throws InterruptedException {
        DepMapLock zoneLock = new DepMapLock(lockdep, "&zone->lock");
        DepMapLock lruLock = new DepMapLock(lockdep, "lru_lock");
        lockdep.setOn(true);
        inNewTask(() -> {
            lruLock.lock();
            assertThat(zoneLock.tryLock()).isTrue();
            zoneLock.unlock();
            lruLock.unlock();
            zoneLock.lock();
            lruLock.lock();
            List<String> held = lockdep.heldClasses();
            lruLock.unlock();
            zoneLock.unlock();
            assertThat(held).containsExactly("&zone->lock", "lru_lock");
        });

        assertThat(lockdep.dependencies()).containsExactly("&zone->lock -> lru_lock");
        assertThat(debug.reports()).isZero();
    }
}
