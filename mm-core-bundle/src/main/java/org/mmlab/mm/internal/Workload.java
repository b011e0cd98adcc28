package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import org.mmlab.mm.Sizes;
import org.mmlab.mm.admin.FragmentResult;
import org.mmlab.mm.admin.WorkloadControl;

/**
 * Models the guest's user space: simulated processes ({@link WorkloadProcess}) that fault in,
 * write, read back and unmap anonymous pages, plus the kernel's own slab-like allocations, run by
 * worker threads ({@link WorkloadWorker}) or step by step on the caller's thread. Their OOM killer
 * is {@link OomKill}. Every operation runs inside stop_machine's read section, so mm:check sees it
 * whole or not at all; stop() returns every page the workload holds.
 *
 * <p>Life cycle: start(), prepare() or fragment(), then stop(). A prepared workload has no threads
 * and runs only in step(); with the same seed it runs exactly what worker 0 of a one-thread start()
 * runs. A fragmented workload is a prepared one whose processes have already filled memory and
 * freed a scatter of it ({@link WorkloadFragment}): start() refuses it (its processes are sized
 * past free memory, so a threaded mix would soon be OOM-killing them); step() may drive it, and
 * stop() frees it like any other.
 */
public final class Workload {
    /** Process ids start here, as user processes do on a booted system. */
    static final int FIRST_PID = 1000;
    /** verifyContent() prints at most this many mismatches and counts the rest. */
    static final int MAX_REPORTED_MISMATCHES = 20;

    final GuestMemory guest;
    private final OomKill oomKill;
    /** The current run, or the last one after stop() (for status()), or null before the first. */
    private volatile Run run;

    /** The counters of one run, under the names status() prints. Gauges go up and down. */
    static final class Stats {
        final LongAdder ops = new LongAdder();
        final LongAdder faults = new LongAdder();
        final LongAdder writes = new LongAdder();
        final LongAdder readsVerified = new LongAdder();
        final LongAdder unmaps = new LongAdder();
        final LongAdder exits = new LongAdder();
        final LongAdder spawns = new LongAdder();
        final LongAdder oomKills = new LongAdder();
        final LongAdder allocFailures = new LongAdder();
        final LongAdder dataLoss = new LongAdder();
        final LongAdder kernelAllocs = new LongAdder();
        final LongAdder kernelFrees = new LongAdder();
        final LongAdder mappedPages = new LongAdder();
        final LongAdder pageTablePages = new LongAdder();
        final LongAdder kernelPages = new LongAdder();
    }

    /** One start() (or prepare()) to stop(). */
    static final class Run {
        final GuestMemory guest;
        final WorkloadSettings settings;
        final boolean threaded;
        final Stats stats = new Stats();
        final AtomicReferenceArray<WorkloadProcess> slots;
        final AtomicInteger nextPid = new AtomicInteger(FIRST_PID);
        final List<WorkloadWorker> workers = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        volatile boolean stopping;
        volatile boolean stopped;
        /** What mm:workload fragment did, for a run it set up; null for start() and prepare(). */
        volatile FragmentResult fragment;
        private final List<String> failures = new ArrayList<>();

        Run(GuestMemory guest, WorkloadSettings settings, boolean threaded) {
            this.guest = guest;
            this.settings = settings;
            this.threaded = threaded;
            this.slots = new AtomicReferenceArray<>(settings.processes());
        }

        synchronized void failed(String what) {
            failures.add(what);
        }

        synchronized List<String> failures() {
            return new ArrayList<>(failures);
        }
    }

    public Workload(GuestMemory guest) {
        this.guest = guest;
        this.oomKill = new OomKill(this);
        guest.alloc.slowpath.setOomKiller(oomKill);
    }

    /** The run the OOM killer may pick victims from: set up and not stopped. */
    Run currentRun() {
        Run r = run;
        return r == null || r.stopped ? null : r;
    }

    // ------------------------------------------------------------------ life cycle

    /** Starts worker threads that run until stop(). */
    public void start(long seed, int processes, int pagesPerProcess, int threads) {
        start(seed, processes, pagesPerProcess, threads, 0);
    }

    /**
     * Starts worker threads ("workload-0", ...) that run maxOps operations in all (0: until stop()).
     *
     * @throws IllegalArgumentException for a value out of range, saying what is allowed
     * @throws IllegalStateException    when a workload is already set up
     */
    public synchronized void start(long seed, int processes, int pagesPerProcess, int threads, long maxOps) {
        Run r = newRun(new WorkloadSettings(seed, processes, pagesPerProcess, threads, maxOps), true);
        for (int i = 0; i < threads; i++) {
            long budget = maxOps == 0 ? 0 : maxOps / threads + (i < maxOps % threads ? 1 : 0);
            if (maxOps != 0 && budget == 0) {
                continue;
            }
            WorkloadWorker w = new WorkloadWorker(r, i, threads, budget);
            Thread t = new Thread(w, "workload-" + i);
            t.setDaemon(true);
            r.workers.add(w);
            r.threads.add(t);
        }
        run = r; // published whole: the OOM killer and status() may look at it from now on
        r.threads.forEach(Thread::start);
    }

    /**
     * Sets up a workload with no threads, to be driven by step() on the caller's thread.
     *
     * @throws IllegalArgumentException for a value out of range
     * @throws IllegalStateException    when a workload is already set up
     */
    public synchronized void prepare(long seed, int processes, int pagesPerProcess) {
        Run r = newRun(new WorkloadSettings(seed, processes, pagesPerProcess, 1, 0), false);
        r.workers.add(new WorkloadWorker(r, 0, 1, 0));
        run = r;
    }

    /**
     * Sets up a workload whose processes leave memory fragmented as a long-running guest's is (see
     * {@link WorkloadFragment}): many free pages, few free 2 MiB blocks. Runs on the caller's thread
     * with the machine stopped, deterministic for a seed; the processes stay alive with their pages
     * mapped (prepared, not running) until stop().
     *
     * @param processes     processes to set up; their address spaces are sized from free memory
     * @param targetPercent fragment until fewer than this percentage of the free pages sit in free
     *                      blocks of order &gt;= 9 (more than 0, at most 100)
     * @throws IllegalArgumentException for a value out of range, saying what is allowed
     * @throws IllegalStateException    when a workload is already set up
     */
    public synchronized FragmentResult fragment(long seed, int processes, double targetPercent) {
        long start = System.nanoTime();
        WorkloadFragment.checkTarget(targetPercent);
        if (currentRun() != null) {
            throw alreadySetUp();
        }
        if (processes < 1 || processes > WorkloadControl.MAX_PROCESSES) {
            throw new IllegalArgumentException("processes=" + processes + ": must be 1.." + WorkloadControl.MAX_PROCESSES);
        }
        long share = guest.freePages() * WorkloadFragment.ADDRESS_SPACE_HEADROOM_PERCENT / 100 / processes + 1;
        WorkloadSettings s = new WorkloadSettings(seed, processes, (int) Math.min(Integer.MAX_VALUE, share), 1, 0);
        s.validateShape();
        checkHeap(s);
        Run r = new Run(guest, s, false);
        WorkloadWorker kernel = new WorkloadWorker(r, 0, 1, 0, WorkloadFragment.slabCapacity(guest));
        r.workers.add(kernel);
        run = r; // published first: stop() frees whatever the fragment got to, even if it fails half way
        guest.stopMachine.enter();
        try {
            r.fragment = guest.stopMachine(() -> WorkloadFragment.fragment(r, kernel, targetPercent, start));
        } finally {
            guest.stopMachine.exit();
        }
        return r.fragment;
    }

    /** The processes' page tables live on the Java heap: refuse, rather than fail half way, when they cannot fit. */
    private void checkHeap(WorkloadSettings s) {
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long need = s.workingSet() * WorkloadFragment.HEAP_BYTES_PER_VPAGE + 5L * WorkloadFragment.slabCapacity(guest);
        if (need > available) {
            throw new IllegalStateException(String.format("fragment needs about %d MiB of Java heap for %d processes x"
                    + " %d pages, but only %d MiB are free (-Xmx %d MiB): give the JVM more heap", need >> 20,
                    s.processes(), s.pagesPerProcess(), available >> 20, rt.maxMemory() >> 20));
        }
    }

    /** fragment() with {@value WorkloadControl#DEFAULT_FRAGMENT_PROCESSES} processes. */
    public FragmentResult fragment(long seed, double targetPercent) {
        return fragment(seed, WorkloadControl.DEFAULT_FRAGMENT_PROCESSES, targetPercent);
    }

    /** What fragment() did, while the workload it set up holds its memory; null otherwise. */
    public FragmentResult fragmented() {
        Run r = currentRun();
        return r == null ? null : r.fragment;
    }

    private Run newRun(WorkloadSettings s, boolean threaded) {
        if (currentRun() != null) {
            throw alreadySetUp();
        }
        s.validate(guest.managedPages());
        return new Run(guest, s, threaded);
    }

    private IllegalStateException alreadySetUp() {
        Run r = currentRun();
        if (r != null && r.fragment != null) {
            return new IllegalStateException(String.format("the fragmented workload (seed %d, %d processes) holds its"
                    + " memory until stopped: it does not start running; stop it first (mm:workload stop)",
                    r.settings.seed(), r.settings.processes()));
        }
        return new IllegalStateException("workload already running (stop it first)");
    }

    /**
     * Runs ops operations of a prepared workload on the calling thread: deterministic for a seed.
     *
     * @throws IllegalStateException when no workload is prepared (or it runs on threads)
     */
    public synchronized void step(long ops) {
        Run r = currentRun();
        if (r == null) {
            throw new IllegalStateException("no workload to step: prepare(seed, processes, pagesPerProcess) first");
        }
        if (r.threaded) {
            throw new IllegalStateException("the workload runs on " + r.threads.size()
                    + " threads: stop it, then prepare() one to step");
        }
        if (ops < 0) {
            throw new IllegalArgumentException("ops=" + ops + ": must be 0 or more");
        }
        WorkloadWorker w = r.workers.get(0);
        for (long i = 0; i < ops; i++) {
            w.op();
        }
    }

    /** Waits until a run with maxOps has done them all; true when every worker finished. */
    public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
        Run r = run;
        if (r == null) {
            return true;
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Thread t : r.threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(t, left);
            }
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** Stops and joins the workers, then every process exits and every slab page is freed. Idempotent. */
    public synchronized void stop() {
        Run r = run;
        if (r == null || r.stopped) {
            return;
        }
        r.stopping = true;
        boolean interrupted = false;
        for (Thread t : r.threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        guest.stopMachine.enter();
        try {
            for (int i = 0; i < r.slots.length(); i++) {
                WorkloadProcess p = r.slots.getAndSet(i, null);
                if (p != null) {
                    teardown(r, "pid " + p.pid + " (" + p.comm + ") exit", p::exitMmap);
                }
            }
            for (WorkloadWorker w : r.workers) {
                teardown(r, "workload-" + w.id + " slab pages", w::freeSlabs);
            }
        } finally {
            guest.stopMachine.exit();
            r.stopped = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One step of stop(): a checker that fires (KernelBug) ends that step, not the others. */
    private void teardown(Run r, String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            r.failed(what + ": " + e);
            guest.dmesg.warn("mmlab-workload: stop: " + what + " failed: " + e, e);
        }
    }

    // ------------------------------------------------------------------ state

    /** A workload is set up (started or prepared) and holds memory until stop(). */
    public boolean running() {
        return currentRun() != null;
    }

    /** Reads whose content was not what the process wrote last, since start. */
    public long dataLoss() {
        Run r = run;
        return r == null ? 0 : r.stats.dataLoss.sum();
    }

    /** Pages mapped by the workload's processes (what nr_anon_pages must equal). */
    public long mappedPages() {
        Run r = currentRun();
        return r == null ? 0 : r.stats.mappedPages.sum();
    }

    /** Operations done since start. */
    public long opsDone() {
        Run r = run;
        return r == null ? 0 : r.stats.ops.sum();
    }

    /** OOM kills since start. */
    public long oomKills() {
        Run r = run;
        return r == null ? 0 : r.stats.oomKills.sum();
    }

    /** What the workload is doing, for mm:workload status. */
    public String status() {
        Run r = run;
        if (r == null) {
            return "workload: not running (never started)";
        }
        WorkloadSettings s = r.settings;
        Stats st = r.stats;
        int alive = 0;
        for (int i = 0; i < r.slots.length(); i++) {
            WorkloadProcess p = r.slots.get(i);
            if (p != null && !p.dead()) {
                alive++;
            }
        }
        String state;
        if (r.stopped) {
            state = "stopped";
        } else if (r.fragment != null) {
            state = "fragmented, prepared for step() (start refuses it; stop frees it)";
        } else if (!r.threaded) {
            state = "prepared for step()";
        } else if (r.threads.stream().anyMatch(Thread::isAlive)) {
            state = "running";
        } else {
            state = "finished its " + s.maxOps() + " ops (holding its memory until stop)";
        }
        long mapped = st.mappedPages.sum();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("workload: %s; seed %d, %s, %d processes x %d pages (%s each)%n", state, s.seed(),
                r.threaded ? s.threads() + " thread" + (s.threads() == 1 ? "" : "s") : "stepped", s.processes(),
                s.pagesPerProcess(), Sizes.format(s.pagesPerProcess())));
        sb.append(String.format("processes: %d alive, %d started, %d exited, %d killed by the OOM killer%n", alive,
                st.spawns.sum(), st.exits.sum(), st.oomKills.sum()));
        sb.append(String.format("memory: %d mapped pages (%s), %d page-table pages, %d kernel (slab) pages%n", mapped,
                Sizes.format(mapped), st.pageTablePages.sum(), st.kernelPages.sum()));
        sb.append(String.format("ops: %d done: %d faults, %d writes, %d reads verified, %d unmaps, %d slab allocs,"
                + " %d slab frees, %d allocation failures%n", st.ops.sum(), st.faults.sum(), st.writes.sum(),
                st.readsVerified.sum(), st.unmaps.sum(), st.kernelAllocs.sum(), st.kernelFrees.sum(),
                st.allocFailures.sum()));
        FragmentResult frag = r.fragment;
        if (frag != null) {
            sb.append(String.format("fragment: %d slab pages held (%d in Movable pageblocks), %d pages unmapped; at"
                    + " the end: %s%n", frag.slabPages(), frag.slabInMovableBlocks(), frag.unmapped(),
                    frag.shares().describe()));
        }
        sb.append(String.format("data loss: %d", st.dataLoss.sum()));
        for (String f : r.failures()) {
            sb.append("\ndied: ").append(f);
        }
        return sb.toString();
    }

    /**
     * For mm:check, with the machine stopped: every live process's every mapped page is allocated,
     * maps back to the process (anon_vma, index), is mapped once, on the LRU, and holds what the
     * process wrote last. Reports at most {@value #MAX_REPORTED_MISMATCHES} mismatches and a count
     * of the rest; returns how many there were.
     */
    public long verifyContent(Consumer<String> problems) {
        Run r = currentRun();
        if (r == null) {
            return 0;
        }
        int[] limit = {MAX_REPORTED_MISMATCHES};
        long bad = 0;
        for (int i = 0; i < r.slots.length(); i++) {
            WorkloadProcess p = r.slots.get(i);
            if (p != null) {
                bad += p.verify(problems, limit);
            }
        }
        if (bad > MAX_REPORTED_MISMATCHES) {
            problems.accept(String.format("... and %d more mismatches", bad - MAX_REPORTED_MISMATCHES));
        }
        return bad;
    }
}
