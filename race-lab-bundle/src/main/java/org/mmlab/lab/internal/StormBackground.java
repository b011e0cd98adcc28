package org.mmlab.lab.internal;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.mmlab.aeration.Aeration;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.admin.Compactor;
import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.mm.lab.StormTarget;

/**
 * What runs under a storm, each on its own threads, from the storm's seed: the workload (processes
 * allocating, writing and verifying their pages), compaction (vm.compact_memory and compaction for an
 * order, in every mode) and kcompactd with proactive compaction, the hosts moving every device's
 * target up and down, so that inflations and deflations are in flight when an unload comes, a task that
 * runs the guest out of memory now and then (the OOM notifiers deflate: virtio's DEFLATE_ON_OOM, the
 * drivers' shrinkers on the way), and free page hinting's work run over and over (when a design is in
 * force and aeration-bundle runs).
 */
final class StormBackground implements AutoCloseable {
    static final int PROCESSES = 32;
    static final int PAGES_PER_PROCESS = 2048;
    static final int WORKLOAD_THREADS = 2;
    static final int PROACTIVENESS = 20;
    /** The largest target a host asks of one device: 64 MiB. */
    static final long MAX_TARGET_PAGES = 16_384;
    /** A pause between two compactions, or two target moves, so that the threads leave the CPUs some room. */
    static final long PACE_NS = TimeUnit.MILLISECONDS.toNanos(2);
    /** A pause between two runs out of memory: each takes every free page of the guest for a moment. */
    static final long OOM_PACE_NS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Passes of hinting's work at most for one kick (aerate:kick's default is 64). */
    static final int HINTING_PASSES = 8;

    private final Compactor compactor;
    private final WorkloadControl workload;
    private final StormFamilies families;
    private final long seed;
    private volatile boolean running;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    /** What a thread of the storm failed with (a bug, not a refused move): each is a report. */
    private final List<String> failures = new CopyOnWriteArrayList<>();
    final AtomicLong compactions = new AtomicLong();
    final AtomicLong targetMoves = new AtomicLong();
    /** Moves a device refused because it went (or broke) under the storm's feet: expected. */
    final AtomicLong refusedMoves = new AtomicLong();
    final AtomicLong outOfMemory = new AtomicLong();
    final AtomicLong hintingKicks = new AtomicLong();
    /** Frames the host discarded as reported free pages and the guest took back since the storm's boot. */
    final AtomicLong reportedFramesBack = new AtomicLong();
    private final MemoryManager mm;
    private final Supplier<Aeration> aeration;
    /** Each device's target before the storm's first move on it, by family and device: put back at the end. */
    private final Map<List<String>, Long> found = new ConcurrentHashMap<>();

    /**
     * @param mm       the storm's guest
     * @param aeration free page hinting now, or null while aeration-bundle is down
     */
    StormBackground(Compactor compactor, WorkloadControl workload, StormFamilies families, long seed,
            MemoryManager mm, Supplier<Aeration> aeration) {
        this.compactor = compactor;
        this.workload = workload;
        this.families = families;
        this.seed = seed;
        this.mm = mm;
        this.aeration = aeration;
    }

    void start() {
        running = true;
        workload.start(seed, PROCESSES, PAGES_PER_PROCESS, WORKLOAD_THREADS);
        compactor.startKcompactd();
        compactor.setProactiveness(PROACTIVENESS);
        thread("storm-compaction", this::compact);
        thread("storm-targets", this::moveTargets);
        thread("storm-oom", this::outOfMemory);
        thread("storm-hinting", this::hint);
    }

    private void thread(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException | Error e) {
                failures.add("BUG: mmlab: storm thread " + Thread.currentThread().getName() + " died: " + e);
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void compact() {
        Random rnd = new Random(seed + 1);
        MigrateMode[] modes = MigrateMode.values();
        while (running) {
            MigrateMode mode = modes[rnd.nextInt(modes.length)];
            if (rnd.nextInt(8) == 0) {
                compactor.compactMemory(mode);
            } else {
                compactor.compactOrder(1 + rnd.nextInt(9), mode);
            }
            compactions.incrementAndGet();
            LockSupport.parkNanos(PACE_NS);
        }
    }

    private void moveTargets() {
        Random rnd = new Random(seed + 2);
        while (running) {
            for (StormTarget t : families.running()) {
                try {
                    for (String device : t.devices()) {
                        t.target(device).ifPresent(pages -> found.putIfAbsent(List.of(t.family(), device), pages));
                        t.moveTarget(device, rnd.nextLong(MAX_TARGET_PAGES + 1));
                        targetMoves.incrementAndGet();
                    }
                } catch (RuntimeException | LinkageError e) {
                    // the device or its bundle went meanwhile: an uninstalled bundle's classes no longer load
                    refusedMoves.incrementAndGet();
                }
            }
            LockSupport.parkNanos(PACE_NS);
        }
    }

    private void outOfMemory() {
        while (running) {
            MainlineUnderPct.underMemoryPressure(mm);
            outOfMemory.incrementAndGet();
            LockSupport.parkNanos(OOM_PACE_NS);
        }
    }

    private void hint() {
        while (running) {
            Aeration a = aeration.get();
            if (a != null) {
                try {
                    long back = a.kick(HINTING_PASSES).hostReturned();
                    hintingKicks.incrementAndGet();
                    reportedFramesBack.accumulateAndGet(back, Math::max);
                } catch (RuntimeException | LinkageError e) {
                    // aeration-bundle went meanwhile (the storm's own operation on it)
                }
            }
            LockSupport.parkNanos(PACE_NS);
        }
    }

    /**
     * Every device back at the target it had before the storm moved it (one the storm's configuration
     * operation made again has its configuration's); the drivers get there on their own, as after any
     * host's request. A device the storm broke takes none: its report has said so.
     */
    void putTargetsBack() {
        for (StormTarget t : families.running()) {
            for (String device : t.devices()) {
                Long pages = found.get(List.of(t.family(), device));
                try {
                    if (pages != null) {
                        t.moveTarget(device, pages);
                    }
                } catch (RuntimeException e) {
                    // broken, or gone since devices()
                }
            }
        }
    }

    /** What the storm's threads died of, as reports. */
    List<String> failures() {
        return List.copyOf(failures);
    }

    /** Stops the threads and the workload (which frees its pages); kcompactd keeps running. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join();
        }
        threads.clear();
        workload.stop();
    }
}
