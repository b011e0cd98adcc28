package org.mmlab.lab.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.mmlab.mm.lab.InjectionPoints;

/** The controlled scheduler: one thread at a time, switches only at points, runs that replay. */
class ControlledSchedulerTest {
    private static final String ISOLATED = InjectionPoints.ISOLATE_RETURN;
    private static final String PUTBACK = InjectionPoints.callEnter(InjectionPoints.CALL_MOPS_PUTBACK_PAGE);
    private static final String GONE = InjectionPoints.MODULE_GONE;

    /** Two threads that each pass a point, then do a racy read-modify-write, n times. */
    private static ControlledScheduler counting(Strategy s, int[] counter, List<String> log, int n) {
        ControlledScheduler sched = new ControlledScheduler(s);
        for (String name : List.of("a", "b")) {
            sched.thread(name, () -> {
                for (int i = 0; i < n; i++) {
                    sched.at("inc");
                    int v = counter[0];
                    log.add(name);
                    counter[0] = v + 1;
                }
            });
        }
        return sched;
    }

    @Test
    void onlyOneThreadRunsBetweenPointsSoARacyCounterLosesNothing() throws Exception {
        int[] counter = new int[1];
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ControlledScheduler.Result r = counting(new RandomStrategy(1), counter, log, 2000).run(30_000);

        assertThat(r.completed()).isTrue();
        assertThat(counter[0]).isEqualTo(4000);
        assertThat(r.decisions()).isEqualTo(4000 + 2); // each point, and each thread's start
        assertThat(r.switches()).isPositive();
    }

    @Test
    void theSameSeedGivesTheSameRunAndItsTraceReplaysIt() throws Exception {
        List<String> first = new ArrayList<>();
        ControlledScheduler.Result r1 = counting(new RandomStrategy(42), new int[1], first, 200).run(30_000);
        List<String> second = new ArrayList<>();
        counting(new RandomStrategy(42), new int[1], second, 200).run(30_000);
        assertThat(second).isEqualTo(first);

        List<String> replayed = new ArrayList<>();
        ReplayStrategy replay = new ReplayStrategy(r1.trace().text());
        ControlledScheduler.Result r3 = counting(replay, new int[1], replayed, 200).run(30_000);
        assertThat(replay.diverged()).isNull();
        assertThat(replayed).isEqualTo(first);
        assertThat(r3.trace().text()).isEqualTo(r1.trace().text());
    }

    /** An admin thread that unloads the driver: module.gone, logged as "unload". */
    private static void admin(ControlledScheduler sched, List<String> log) {
        sched.thread("admin", () -> {
            sched.at(GONE);
            log.add("unload");
        });
    }

    @RepeatedTest(20)
    void aScriptMakesItsOrderHappenOnEveryRunAndSaysItsWindowOpened() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ScriptedStrategy script = new ScriptedStrategy("compaction@" + ISOLATED + " < admin@" + GONE + " < compaction@"
                + PUTBACK);
        ControlledScheduler sched = new ControlledScheduler(script);
        sched.thread("compaction", () -> {
            sched.at(ISOLATED);
            log.add("isolate");
            sched.at(PUTBACK);
            log.add("putback");
        });
        admin(sched, log);

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.windowClosed()).isNull();
        assertThat(script.unmet()).as("every edge's order happened").isEmpty();
        assertThat(log).containsExactly("isolate", "unload", "putback");
    }

    @Test
    void anAbandonedRunLetsItsHeldThreadsGoSoTheyGiveBackWhatTheyHold() throws Exception {
        // race 8's stuck run: compaction holds isolated pages at a point, the module's remove spins for them
        // without a point (no decision, never blocked); the run is abandoned at its bound
        AtomicBoolean isolated = new AtomicBoolean();
        ControlledScheduler sched = new ControlledScheduler(new ScriptedStrategy("admin@" + GONE + " < compaction@"
                + PUTBACK));
        sched.thread("compaction", () -> {
            isolated.set(true);
            sched.at(PUTBACK);
            isolated.set(false);
        });
        sched.thread("admin", () -> {
            sched.at(GONE);
            while (isolated.get()) {
                Thread.onSpinWait(); // remove_common(): while (vb->num_pages) leak_balloon(...)
            }
        });

        ControlledScheduler.Result r = sched.run(300);

        assertThat(r.completed()).isFalse();
        assertThat(r.stuck()).startsWith("the run did not finish in 300 ms: [compaction(WAITING at " + PUTBACK
                + "), admin(RUNNING)]").doesNotContain("still running");
        assertThat(isolated).as("compaction, let go, put its pages back and ended; so did the remove").isFalse();
    }

    @Test
    void aRunThatSpinsThroughPointsForEverIsStuckAfterAMillionDecisionsNotWhenTheHeapIsFull() throws Exception {
        // a priority strategy that always prefers the spinning remove: compaction, which holds the pages it
        // waits for, is never chosen (each decision is a step of the trace: 20 million filled a 2 GiB heap)
        Strategy admin = new Strategy() {
            @Override
            public SimThread pick(List<SimThread> waiting, SimThread current, int step) {
                // compaction first, to its point (it isolated the pages), then the remove whenever it waits
                return waiting.stream().filter(t -> t.name.equals("compaction") && t.at.equals(InjectionPoints.START))
                        .findFirst().or(() -> waiting.stream().filter(t -> t.name.equals("admin")).findFirst())
                        .orElse(waiting.get(0));
            }

            @Override
            public String describe() {
                return "admin first";
            }
        };
        AtomicBoolean putBack = new AtomicBoolean();
        ControlledScheduler sched = new ControlledScheduler(admin);
        sched.thread("compaction", () -> {
            sched.at(PUTBACK);
            putBack.set(true);
        });
        sched.thread("admin", () -> {
            sched.at(GONE);
            while (!putBack.get()) {
                sched.at(InjectionPoints.lock("&vb->balloon_lock")); // leak_balloon() finds every page isolated
            }
        });

        ControlledScheduler.Result r = sched.run(60_000);

        assertThat(r.stuck()).startsWith("the run made " + ControlledScheduler.MAX_DECISIONS
                + " decisions without ending: [compaction(WAITING at " + PUTBACK + "), admin(");
        assertThat(r.decisions()).isBetween(ControlledScheduler.MAX_DECISIONS, ControlledScheduler.MAX_DECISIONS * 2);
        assertThat(putBack).as("compaction, let go, put its pages back, and the remove ended").isTrue();
    }

    @Test
    void aScriptWhoseEventNeverComesReportsTheWindowClosedAtThatEdgeInsteadOfHanging() throws Exception {
        ScriptedStrategy script = new ScriptedStrategy("compaction@" + ISOLATED + " < admin@start, admin@" + GONE
                + " < compaction@" + PUTBACK);
        ControlledScheduler sched = new ControlledScheduler(script);
        sched.thread("compaction", () -> {
            sched.at(ISOLATED);
            sched.at(PUTBACK);
        });
        sched.thread("admin", () -> sched.at(InjectionPoints.MODULE_GOING)); // a fix: it never goes

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.completed()).isTrue();
        assertThat(r.windowClosed()).isEqualTo("window closed: compaction waits at " + PUTBACK
                + " for admin@module.gone#1, which cannot come first");
        assertThat(script.unmet()).as("the first edge happened, the second cannot")
                .containsExactly("admin@module.gone#1 < compaction@" + PUTBACK + "#1");
    }

    @Test
    void anEdgeWhoseAfterNeverComesIsUnmetThoughNothingWaitedOnIt() throws Exception {
        // a setup whose path never reaches the held point: no thread waits, so nothing closes a window
        ScriptedStrategy script = new ScriptedStrategy("admin@" + GONE + " < compaction@" + PUTBACK);
        ControlledScheduler sched = new ControlledScheduler(script);
        sched.thread("compaction", () -> sched.at(ISOLATED));
        sched.thread("admin", () -> sched.at(GONE));

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.windowClosed()).isNull();
        assertThat(script.unmet()).containsExactly("admin@module.gone#1 < compaction@" + PUTBACK + "#1");
    }

    @Test
    void aThreadThatSpinsWaitingForOneTheScriptHoldsClosesTheWindowInsteadOfLivelocking() throws Exception {
        // remove_common(): leak until the page comes back, which only the held thread can do
        boolean[] putBack = new boolean[1];
        ControlledScheduler sched = new ControlledScheduler(
                new ScriptedStrategy("admin@module.gone < compaction@" + PUTBACK));
        sched.thread("compaction", () -> {
            sched.at(PUTBACK);
            putBack[0] = true;
        });
        sched.thread("admin", () -> {
            while (!putBack[0]) {
                sched.at(InjectionPoints.BALLOON_LOCK);
            }
            sched.at(GONE);
        });

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.completed()).isTrue();
        assertThat(r.windowClosed()).startsWith("window closed: admin spins at balloon.lock while the script holds"
                + " the others");
        assertThat(r.decisions()).isGreaterThan(Strategy.SPIN_LIMIT);
    }

    @Test
    void pctOfDepthOneRunsTheHighestPriorityThreadToTheEnd() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ControlledScheduler.Result r = counting(new PctStrategy(3, 1, 100), new int[1], log, 50).run(10_000);
        assertThat(r.switches()).as("no priority change: one switch, when the first thread ends").isZero();
        assertThat(log.subList(0, 50)).containsOnly(log.get(0));
    }

    @Test
    void aThreadThatBlocksOutsideAPointDoesNotStallTheRun() throws Exception {
        ReentrantLock pagesLock = new ReentrantLock();
        ControlledScheduler sched = new ControlledScheduler(new ScriptedStrategy(
                "holder@balloon.list_del < waiter@balloon.lock, waiter@balloon.lock < holder@balloon.unlock"));
        sched.thread("holder", () -> {
            pagesLock.lock();
            try {
                sched.at(InjectionPoints.BALLOON_LIST_DEL);
                sched.at(InjectionPoints.BALLOON_UNLOCK);
            } finally {
                pagesLock.unlock();
            }
        });
        sched.thread("waiter", () -> {
            sched.at(InjectionPoints.BALLOON_LOCK);
            pagesLock.lock(); // blocks: the holder is stopped at a point
            pagesLock.unlock();
        });

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.completed()).isTrue();
        assertThat(r.trace().steps()).anyMatch(s -> s.blocked() && s.thread().equals("waiter"));
    }

    /**
     * A thread woken by a lock's release takes the lock and reaches its next point before the releasing
     * thread's next decision, in every run: which threads a decision chooses among does not depend on how
     * fast the woken one ran. Before, the releasing thread usually decided (and went on) first, and a replay
     * of a trace with a lock block in it interleaved as the machine's speed had it.
     */
    @RepeatedTest(20)
    void aThreadWokenByALocksReleaseReachesItsPointBeforeTheNextDecision() throws Exception {
        ReentrantLock pagesLock = new ReentrantLock();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        // holder takes the lock and stops; waiter blocks on it; holder releases it and goes on to its next point
        ReplayStrategy replay = new ReplayStrategy("holder waiter*2 holder*2 waiter");
        ControlledScheduler sched = new ControlledScheduler(replay);
        sched.thread("holder", () -> {
            pagesLock.lock();
            try {
                sched.at(InjectionPoints.BALLOON_LIST_DEL);
            } finally {
                pagesLock.unlock();
            }
            sched.at(InjectionPoints.BALLOON_UNLOCK);
            log.add("holder");
        });
        sched.thread("waiter", () -> {
            sched.at(InjectionPoints.BALLOON_LOCK);
            pagesLock.lock(); // blocks: the holder is stopped at a point with it
            log.add("waiter");
            pagesLock.unlock();
            sched.at(InjectionPoints.BALLOON_PUT_PAGE);
        });

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.completed()).isTrue();
        assertThat(replay.diverged()).isNull();
        assertThat(log).containsExactly("waiter", "holder");
        assertThat(r.trace().steps()).filteredOn(s -> !s.blocked()).extracting(Trace.Step::event).containsExactly(
                "holder@start#1", "waiter@start#1", "waiter@balloon.lock#1", "holder@balloon.list_del#1",
                "holder@balloon.unlock#1", "waiter@balloon.put_page#1");
    }

    /**
     * The same with a read-write lock (an rw_semaphore: blocking_notifier_chain_unregister() waits for the OOM
     * notifier calls in flight): the JVM names no reader, so the waiter counts as on its way once the lock holds
     * nobody. Before, it did not count at all, and race 8's admin came back from the OOM notifiers' rwsem
     * whenever the machine let it: the same seed made different schedules.
     */
    @RepeatedTest(20)
    void aThreadWokenByAReadWriteLocksReleaseReachesItsPointBeforeTheNextDecision() throws Exception {
        ReentrantReadWriteLock rwsem = new ReentrantReadWriteLock();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ReplayStrategy replay = new ReplayStrategy("reader writer*2 reader*2 writer");
        ControlledScheduler sched = new ControlledScheduler(replay);
        sched.thread("reader", () -> {
            rwsem.readLock().lock();
            try {
                sched.at(InjectionPoints.callEnter(InjectionPoints.CALL_OOM_NOTIFIER));
            } finally {
                rwsem.readLock().unlock();
            }
            sched.at(InjectionPoints.callReturn(InjectionPoints.CALL_OOM_NOTIFIER));
            log.add("reader");
        });
        sched.thread("writer", () -> {
            sched.at(InjectionPoints.MODULE_GOING);
            rwsem.writeLock().lock(); // blocks: the reader is stopped at a point inside
            log.add("writer");
            rwsem.writeLock().unlock();
            sched.at(InjectionPoints.MODULE_GONE);
        });

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.completed()).isTrue();
        assertThat(replay.diverged()).isNull();
        assertThat(log).containsExactly("writer", "reader");
    }

    /**
     * A release with no point after it (the OOM notifier chain's up_read()) wakes the writer, and the reader goes on
     * to a trylock of another rw_semaphore the writer takes next (shrink_slab()'s down_read_trylock() of
     * shrinker_rwsem, against unregister_shrinker()'s down_write()): told of the release ({@code released()}), the
     * scheduler has the woken writer through both before the reader takes another step, every time. Before, the
     * reader went on at once and usually got there first, and which of the two did was the machine's choice (race 8,
     * seed 1809: 366 decisions in one lab, 7,367 in the others).
     */
    @RepeatedTest(20)
    void aThreadWokenByAReleaseWithNoPointAfterItIsThroughBeforeTheReleaserGoesOn() throws Exception {
        ReentrantReadWriteLock chain = new ReentrantReadWriteLock();
        ReentrantReadWriteLock shrinkers = new ReentrantReadWriteLock();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ReplayStrategy replay = new ReplayStrategy("reader writer*2 reader*2 writer");
        ControlledScheduler sched = new ControlledScheduler(replay);
        sched.thread("reader", () -> {
            chain.readLock().lock();
            try {
                sched.at(InjectionPoints.callEnter(InjectionPoints.CALL_OOM_NOTIFIER));
            } finally {
                chain.readLock().unlock();
                sched.released();
            }
            if (shrinkers.readLock().tryLock()) {
                log.add("reader");
                shrinkers.readLock().unlock();
            }
            sched.at(InjectionPoints.callReturn(InjectionPoints.CALL_OOM_NOTIFIER));
        });
        sched.thread("writer", () -> {
            sched.at(InjectionPoints.MODULE_GOING);
            chain.writeLock().lock(); // blocks: the reader is stopped at a point inside
            chain.writeLock().unlock();
            shrinkers.writeLock().lock();
            log.add("writer");
            shrinkers.writeLock().unlock();
            sched.at(InjectionPoints.MODULE_GONE);
        });

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.completed()).isTrue();
        assertThat(replay.diverged()).isNull();
        assertThat(log).containsExactly("writer", "reader");
    }

    /**
     * A thread outside the run (Felix's event thread in Felix Log's monitor, QEMU's thread) holds monitor, running,
     * until sim's thread has been blocked on it for 20 ms (at most 5 s in all): a wait the watchdog sees last far
     * longer than its 200 us, for a lock that is let go whatever the run does.
     */
    private static Thread holdsWhileRunning(Object monitor, AtomicReference<Thread> sim) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        Thread outside = new Thread(() -> {
            synchronized (monitor) {
                held.countDown();
                long giveUp = System.nanoTime() + 5_000_000_000L;
                while (System.nanoTime() < giveUp && (sim.get() == null || sim.get().getState() != Thread.State.BLOCKED)) {
                    Thread.onSpinWait();
                }
                long until = Math.min(giveUp, System.nanoTime() + 20_000_000L);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
        }, "outside");
        outside.setDaemon(true);
        outside.start();
        held.await();
        return outside;
    }

    /**
     * The baton's holder blocked on a monitor that a running thread outside the run holds keeps the baton: nothing
     * in the run moves until it comes back. Before, the watchdog handed the baton on after 200 us, and race 8's
     * admin, in Felix Log's monitor while Felix's event thread logged the last run's events, let compaction go first
     * (once in 8,000 runs): another schedule of the same seed.
     */
    @RepeatedTest(5)
    void aHolderBlockedOnALockARunningThreadOutsideTheRunHoldsKeepsTheBaton() throws Exception {
        Object logMonitor = new Object();
        AtomicReference<Thread> admin = new AtomicReference<>();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ControlledScheduler sched = new ControlledScheduler(firstWaiting()); // as PCT: admin first, whenever it waits
        sched.thread("admin", () -> {
            admin.set(Thread.currentThread());
            sched.at(InjectionPoints.MODULE_GOING);
            synchronized (logMonitor) { // Felix Log's addEntry(), held by Felix's event thread
                log.add("admin");
            }
            sched.at(GONE);
        });
        sched.thread("compaction", () -> {
            sched.at(PUTBACK);
            log.add("compaction");
        });
        Thread outside = holdsWhileRunning(logMonitor, admin);

        ControlledScheduler.Result r = sched.run(10_000);
        outside.join(5_000);

        assertThat(r.completed()).isTrue();
        assertThat(r.trace().steps()).noneMatch(Trace.Step::blocked);
        assertThat(log).containsExactly("admin", "compaction");
        assertThat(r.trace().text()).isEqualTo("admin*3 compaction*2");
    }

    /**
     * A thread woken by a lock's release that then waits for a monitor a running thread outside the run holds is on
     * its way: the releasing thread's next decision waits until it reached its point. Before, the decision was made
     * without it, as race 8's admin, back from the OOM notifiers' rwsem, could be passed over while it waited for the
     * host's ring lock.
     */
    @RepeatedTest(5)
    void aWokenThreadWaitingForARunningThreadOutsideTheRunReachesItsPointBeforeTheNextDecision() throws Exception {
        ReentrantLock pagesLock = new ReentrantLock();
        Object ring = new Object();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ReplayStrategy replay = new ReplayStrategy("holder waiter*2 holder*2 waiter");
        ControlledScheduler sched = new ControlledScheduler(replay);
        Thread[] outside = new Thread[1];
        sched.thread("holder", () -> {
            pagesLock.lock();
            try {
                sched.at(InjectionPoints.BALLOON_LIST_DEL);
                try {
                    outside[0] = holdsWhileRunning(ring, waiter); // the host takes the ring's lock meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } finally {
                pagesLock.unlock();
            }
            sched.at(InjectionPoints.BALLOON_UNLOCK);
            log.add("holder");
        });
        sched.thread("waiter", () -> {
            waiter.set(Thread.currentThread());
            sched.at(InjectionPoints.BALLOON_LOCK);
            pagesLock.lock(); // blocks: the holder is stopped at a point with it
            pagesLock.unlock();
            synchronized (ring) { // then blocks on the host's thread, outside the run
                log.add("waiter");
            }
            sched.at(InjectionPoints.BALLOON_PUT_PAGE);
        });

        ControlledScheduler.Result r = sched.run(10_000);
        outside[0].join(5_000);

        assertThat(r.completed()).isTrue();
        assertThat(replay.diverged()).isNull();
        assertThat(log).containsExactly("waiter", "holder");
    }

    /**
     * A sleep (msleep()) is a point where the sleeper yields: a strategy that would choose it again at once
     * (here the first waiting thread) chooses among the others until a millisecond's worth of their decisions
     * has passed, or none of them waits. Before, the sleep was the machine's: how much the others did
     * meanwhile depended on its speed, and race 8's remove_common() made different schedules of one seed.
     */
    @Test
    void aSleeperLetsTheOthersGoOnForAMillisecondsDecisionsOrUntilNoneWaits() throws Exception {
        Strategy first = firstWaiting();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ControlledScheduler sched = new ControlledScheduler(first);
        sched.thread("sleeper", () -> {
            for (int i = 0; i < 3; i++) {
                assertThat(sched.sleep(InjectionPoints.MSLEEP, 1)).isTrue();
                log.add("sleeper");
            }
        });
        sched.thread("worker", () -> {
            for (int i = 0; i < 1500; i++) {
                sched.at("inc");
                log.add("worker");
            }
        });

        ControlledScheduler.Result r = sched.run(30_000);

        assertThat(r.completed()).isTrue();
        assertThat(log.indexOf("sleeper")).as("the worker's steps before the sleeper woke").isEqualTo(999);
        assertThat(log).hasSize(1503);
        assertThat(log.subList(1000, 1501)).as("it slept again, and the worker went on").containsOnly("worker");
        assertThat(log.subList(1501, 1503)).as("the worker done, it slept alone").containsOnly("sleeper");
        assertThat(sched.sleep(InjectionPoints.MSLEEP, 1)).as("a thread of no run sleeps itself").isFalse();
    }

    /**
     * A thread that waits for work outside the run (a probe on Configuration Admin's thread) keeps the
     * baton however long the work takes: the script's window opens. Before, the run took it for a thread
     * blocked on one the script holds and declared the window closed after 200 ms, which a loaded machine
     * reached about once in 20 runs of race 3.
     */
    @Test
    void aThreadWaitingForWorkOutsideTheRunKeepsItsWindowOpenHoweverLongTheWorkTakes() throws Exception {
        String probed = InjectionPoints.VIRTIO_PROBED;
        ScriptedStrategy script = new ScriptedStrategy("admin@" + probed + " < compaction@" + PUTBACK);
        ControlledScheduler sched = new ControlledScheduler(script);
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        sched.thread("compaction", () -> {
            sched.at(PUTBACK);
            log.add("putback");
        });
        sched.thread("admin", () -> {
            CompletableFuture<String> probe = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(500); // a slow probe: longer than a script waits for a blocked thread
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "probed";
            });
            try {
                log.add(ControlledScheduler.awaitOutside(probe::get));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            sched.at(probed);
        });

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.windowClosed()).isNull();
        assertThat(script.unmet()).isEmpty();
        assertThat(log).containsExactly("probed", "putback");
    }

    /** A work on a worker outside the run that ends, and notifies, once go lets it. */
    private static final class Work {
        private boolean done;

        synchronized void end() {
            done = true;
            notifyAll();
        }

        /** cancel_work_sync()'s wait for the running work (Workqueue.cancelWorkSync). */
        synchronized Void awaitEnd() throws InterruptedException {
            while (!done) {
                wait();
            }
            return null;
        }
    }

    /**
     * cancel_work_sync() waiting for a work running on its worker, outside the run, keeps the baton while the work
     * runs, however long it takes: nothing else in the run moves meanwhile. Before, its wait was a plain condition
     * wait, which the watchdog handed on after 200 us: race 8's admin, cancelling balloon-wq's free page work that a
     * loaded machine had not yet ended, was passed over at its third decision in about 1 run in 20,000.
     */
    @RepeatedTest(5)
    void aThreadCancellingARunningWorkKeepsTheBatonWhileTheWorkerRuns() throws Exception {
        Work work = new Work();
        Thread worker = new Thread(() -> {
            try {
                Thread.sleep(20); // a work that a loaded machine takes long to end
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            work.end();
        }, "balloon-wq");
        worker.setDaemon(true);
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ControlledScheduler sched = new ControlledScheduler(firstWaiting()); // as PCT: admin first, whenever it waits
        sched.thread("admin", () -> {
            sched.at(InjectionPoints.MODULE_GOING);
            worker.start();
            try {
                ControlledScheduler.awaitWorker(worker, work::awaitEnd);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            log.add("cancelled");
            sched.at(GONE);
        });
        sched.thread("compaction", () -> {
            sched.at(PUTBACK);
            log.add("compaction");
        });

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.completed()).isTrue();
        assertThat(r.trace().steps()).noneMatch(Trace.Step::blocked);
        assertThat(log).containsExactly("cancelled", "compaction");
        assertThat(r.trace().text()).isEqualTo("admin*3 compaction*2");
    }

    /**
     * The same wait gives the baton up as soon as the work waits for a lock that a thread stopped at a point holds
     * (update_balloon_size_func() on &vb->balloon_lock, held by the deflating task): the others go on, the holder lets
     * go, the work ends, and the canceller comes back at its next point before the next decision. Waiting for the work
     * holding the baton (awaitOutside) would have hung the run.
     */
    @RepeatedTest(5)
    void aThreadCancellingAWorkThatWaitsForAStoppedThreadsLockGivesTheBatonUp() throws Exception {
        ReentrantLock balloonLock = new ReentrantLock();
        Work work = new Work();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        Thread worker = new Thread(() -> {
            balloonLock.lock(); // blocks: the deflating task is stopped at a point with it
            try {
                log.add("work");
            } finally {
                balloonLock.unlock();
            }
            work.end();
        }, "events_freezable");
        worker.setDaemon(true);
        ReplayStrategy replay = new ReplayStrategy("deflate admin*2 deflate admin deflate");
        ControlledScheduler sched = new ControlledScheduler(replay);
        sched.thread("deflate", () -> {
            balloonLock.lock();
            try {
                sched.at(InjectionPoints.BALLOON_LIST_DEL);
                log.add("deflate");
            } finally {
                balloonLock.unlock();
            }
            sched.at(InjectionPoints.BALLOON_UNLOCK);
        });
        sched.thread("admin", () -> {
            sched.at(InjectionPoints.MODULE_GOING);
            worker.start();
            try {
                ControlledScheduler.awaitWorker(worker, work::awaitEnd);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            log.add("cancelled");
            sched.at(GONE);
        });

        List<String> handoffs = Collections.synchronizedList(new ArrayList<>());
        sched.debugHandoffs(handoffs::add); // lab:handoffs on

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.completed()).as("%s", r.stuck()).isTrue();
        assertThat(replay.diverged()).isNull();
        assertThat(log).containsExactly("deflate", "work", "cancelled");
        assertThat(r.trace().steps()).filteredOn(Trace.Step::blocked).extracting(Trace.Step::thread)
                .containsExactly("admin");
        assertThat(handoffs).hasSize(2);
        assertThat(handoffs.get(0)).startsWith("decision 3: admin handed on after module.going, waiting for"
                + " events_freezable, which waits for a stopped thread: WAITING on java.util.concurrent.locks.ReentrantLock")
                .contains("held by sim-deflate", "ControlledSchedulerTest$Work.awaitEnd");
        assertThat(handoffs.get(1)).isEqualTo("decision 4: admin back at " + GONE);
    }

    @RepeatedTest(20)
    void anOutsideThreadDoingASimulatedThreadsWorkIsScheduledAtItsPointsUntilItsLast() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        String x = InjectionPoints.MAPPING_ALLOC;
        String y = InjectionPoints.VIRTIO_MAPPING_PUBLISHED;
        String z = InjectionPoints.MAPPING_FREE;
        String p = InjectionPoints.LAB_MIGRATED;
        ControlledScheduler sched = new ControlledScheduler(new ScriptedStrategy("a@" + x + " < b@start, b@" + p
                + " < a@" + y));
        Thread[] outside = new Thread[1];
        sched.thread("a", new OnBehalf(() -> {
            outside[0] = new Thread(() -> { // as Configuration Admin's thread probes a device
                sched.at(x);
                log.add("x");
                sched.at(y);
                log.add("y");
                sched.at(z);
                log.add("z");
            }, "outside");
            outside[0].start();
        }, y, x, y));
        sched.thread("b", () -> {
            log.add("b");
            sched.at(p);
            log.add("p");
        });

        ControlledScheduler.Result r = sched.run(10_000);
        outside[0].join(5_000);

        assertThat(r.completed()).isTrue();
        assertThat(r.windowClosed()).isNull();
        assertThat(r.failures()).isEmpty();
        assertThat(log).containsExactly("x", "b", "p", "y", "z");
        assertThat(r.trace().text()).contains("a").contains("b");
    }

    /**
     * Past the end of a trace the last thread goes on through a block (the host's slow acknowledgement)
     * instead of handing the baton on after the watchdog's 200 us: a cut trace runs the same way however
     * long the block takes. Before, the other thread ran inside the block, and lab:shrink's cuts of race
     * 1 reproduced it without the switch they named ("shrunk to 0 switches").
     */
    @RepeatedTest(5)
    void pastTheEndOfATraceTheLastThreadGoesOnThroughABlock() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ReplayStrategy replay = new ReplayStrategy("compaction");
        ControlledScheduler sched = new ControlledScheduler(replay);
        sched.thread("compaction", () -> {
            sched.at(ISOLATED);
            log.add("isolated");
            try {
                Thread.sleep(20); // the host acknowledges late: a block outside any point
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sched.at(PUTBACK);
            log.add("putback");
        });
        admin(sched, log);

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.trace().steps()).as("the watchdog saw the block").anyMatch(s -> s.blocked());
        assertThat(log).containsExactly("isolated", "putback", "unload");
        assertThat(r.trace().text()).isEqualTo("compaction*3 admin*2");
    }

    @Test
    void pastTheEndOfATraceAThreadThatSpinsWaitingForAnotherHandsOn() throws Exception {
        boolean[] putBack = new boolean[1];
        ControlledScheduler sched = new ControlledScheduler(new ReplayStrategy("admin"));
        sched.thread("compaction", () -> {
            sched.at(PUTBACK);
            putBack[0] = true;
        });
        sched.thread("admin", () -> {
            while (!putBack[0]) { // remove_common(): leak until the isolated page is back
                sched.at(InjectionPoints.BALLOON_LOCK);
            }
        });

        ControlledScheduler.Result r = sched.run(10_000);

        assertThat(r.completed()).isTrue();
        assertThat(putBack[0]).isTrue();
        assertThat(r.decisions()).isGreaterThan(Strategy.SPIN_LIMIT);
    }

    @Test
    void badScriptsAndTracesAreRefusedWithWhatIsExpected() throws Exception {
        assertThatThrownBy(() -> new ScriptedStrategy("a@p")).hasMessageContaining("orders nothing");
        assertThatThrownBy(() -> new ScriptedStrategy("a < b@q")).hasMessageContaining("not an event");
        assertThatThrownBy(() -> new ScriptedStrategy("a@start < b@balloon.migratd")).hasMessage(
                "'b@balloon.migratd': there is no injection point 'balloon.migratd' (InjectionPoints lists them)");
        ControlledScheduler sched = new ControlledScheduler(new ScriptedStrategy("compactoin@start < admin@start"));
        sched.thread("compaction", () -> { });
        sched.thread("admin", () -> { });
        assertThatThrownBy(() -> sched.run(10_000)).hasMessage("'compactoin@start#1': the run has no thread"
                + " 'compactoin' (its threads: compaction, admin)");
        assertThatThrownBy(() -> Trace.decode("a*x")).hasMessageContaining("NAME*COUNT");
        assertThatThrownBy(() -> new PctStrategy(1, 0, 10)).hasMessageContaining("depth >= 1");
        assertThat(Trace.decode("a*2 b a")).containsExactly("a", "a", "b", "a");
    }

    /** Chooses the first of the waiting threads the scheduler offers. */
    private static Strategy firstWaiting() {
        return new Strategy() {
            @Override
            public SimThread pick(List<SimThread> waiting, SimThread current, int step) {
                return waiting.get(0);
            }

            @Override
            public String describe() {
                return "the first waiting thread";
            }
        };
    }
}
