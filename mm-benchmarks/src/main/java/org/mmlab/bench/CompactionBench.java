package org.mmlab.bench;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.admin.CompactStats;
import org.mmlab.mm.admin.FragmentResult;
import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.mm.internal.GuestMemory;
import org.mmlab.mm.internal.MmCheck;
import org.mmlab.mm.internal.MmConfig;
import org.mmlab.mm.internal.Workload;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole-memory compaction throughput (mm/compaction.c's compact_nodes(), vm.compact_memory = 1, as
 * {@link Compaction#compactMemory()} models it: every zone, whole, MIGRATE_SYNC, skip hints ignored),
 * single thread, with 64-bit content tags and with real 4 KiB frames; and, in the same JVMs, the
 * plain 4 KiB copy of a cold and of a hot page that the frame case has to do for every page it
 * migrates (shared/reference/race-lab-and-performance.md §D.1's method).
 *
 * <p><b>{@link #compact}</b>: one compact_memory per iteration, so every sample is exactly one
 * compaction. Before each invocation, outside the measured time ({@code @Setup(Level.Invocation)}):
 * drop the previous guest and {@code System.gc()} (so its 1 GiB of direct buffers is given back and
 * the measured run starts on a collected heap), boot a fresh guest {@code MmConfig.parse(memorySize,
 * "3G", content, debugVm, debugList)} (1 GiB by default: one zone, DMA32, 262,144 pages, so an
 * invocation is ~1 s and the measured part 25-100 ms), and run {@code mm:workload fragment} on it
 * ({@link Workload#fragment(long, double)}, seed {@code seed}, target 5 %: half of memory free, under
 * 5 % of it in order&gt;=9 blocks). A fresh guest and a fixed seed give every invocation the identical
 * starting layout, so every sample migrates the same pages (the counters show it) and the spread is
 * the machine's and the JIT's, not the input's. Why not an iteration-level fragment with many
 * compactions per iteration: a second compact_memory on the same guest has almost nothing left to
 * move (CompactionTest.aSecondWholeZoneRunFindsLittleLeftToMove). After each invocation, outside the
 * measured time: every workload page's content is verified against what its process wrote
 * ({@link Workload#verifyContent}), mm:check must say OK and no checker may have reported (else the
 * run fails), then the workload stops.
 *
 * <p>Mode.Throughput with 1 ms iterations: JMH's loop runs the call once before it looks at the
 * iteration timer, which has long expired after a ~1 s setup, so each iteration is one invocation;
 * with invocation-level helpers JMH times only the call itself (RawResults.realTime). The primary
 * score is compact_memory runs per second; the secondary {@code compact:migratedPages} is pages
 * migrated per second of compact_memory time (an OPERATIONS counter divided by that same time): the
 * issue's figure, and 1e9 / it is ns per migrated page. (SingleShotTime would give the same one call
 * per sample, but JMH has no OPERATIONS counters in that mode.) The EVENTS counters {@code migrated},
 * {@code failed}, {@code migrateScanned}, {@code freeScanned} and {@code allocBytes} (bytes the
 * compacting thread allocated during the call, ThreadMXBean) are per iteration in the JSON; JMH's
 * table shows their sum over the measured iterations. The time is whole-memory compaction: both
 * scanners, isolation, the free-page split, migrate_pages() and freeing the source pages, putback of
 * unused free pages, not only the migrate step.
 *
 * <p><b>{@link #coldCopy}</b> / <b>{@link #hotCopy}</b>: AverageTime, ns per 4 KiB copy, with
 * {@code ByteBuffer.put(int, ByteBuffer, int, int)} between direct buffers, the very call
 * FrameContent.copy makes. Cold: source and destination are random pages of two 512 MiB direct
 * pools (131,072 pages each, 16x this CPU's L3), each pool visited in its own fixed random
 * permutation, so each copy misses cache and TLB on both sides (§D.1's "direct ByteBuffer copy,
 * cold"). Hot: the same 4 KiB source and destination every time.
 *
 * <p>All three run in forks with the same settings (below), so compare them within one run.
 */
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch", "-XX:MaxDirectMemorySize=4g"})
@State(Scope.Thread)
public class CompactionBench {
    /** Pages in each copy pool: 512 MiB. */
    static final int POOL_PAGES = 1 << 17;

    /** A guest fragmented by mm:workload fragment, fresh for every invocation. */
    @State(Scope.Thread)
    public static class Fragmented {
        @Param({"tag", "frame"})
        public String content;

        @Param({"1G"})
        public String memorySize;

        @Param({"1"})
        public long seed;

        @Param({"false"})
        public boolean debugVm;

        @Param({"false"})
        public boolean debugList;

        GuestMemory guest;
        Workload workload;
        CompactStats stats;

        @Setup(Level.Invocation)
        public void fragment() {
            guest = null;
            workload = null;
            System.gc(); // the last guest's direct buffers go back now, not in the middle of a measured run
            guest = new GuestMemory(MmConfig.parse(memorySize, "3G", content, debugVm, debugList));
            workload = new Workload(guest);
            FragmentResult r = workload.fragment(seed, WorkloadControl.DEFAULT_TARGET_PERCENT);
            if (!r.reached()) {
                throw new IllegalStateException("fragment did not reach its target:\n" + r.describe());
            }
            stats = null;
        }

        @TearDown(Level.Invocation)
        public void checkAndStop() {
            List<String> problems = new ArrayList<>();
            long mismatches = workload.verifyContent(problems::add);
            CheckResult check = MmCheck.run(guest, workload);
            if (stats == null || stats.migrated() == 0 || mismatches != 0 || workload.dataLoss() != 0 || !check.ok()
                    || guest.debug().reports() != 0) {
                throw new IllegalStateException("after compact_memory: " + stats + ", " + mismatches
                        + " content mismatches " + problems + ", data loss " + workload.dataLoss() + ", "
                        + check.verdict() + ", " + guest.debug().reports() + " checker reports\n" + check.text() + "\n"
                        + String.join("\n", guest.dmesg().lines()));
            }
            workload.stop();
        }
    }

    /**
     * What the compactions did, as totals: JMH zeroes these before each iteration (one compaction)
     * and reports their sum over all measured iterations of a run.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Counters {
        public long migrated;
        public long failed;
        public long migrateScanned;
        public long freeScanned;
        public long allocBytes;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Pages migrated per second: JMH divides the count by the iteration's measured time, which with
     * invocation-level helpers is the sum of the timed calls only (RawResults.realTime): here the
     * one compact_memory, without the fragment before it or the checks after it.
     */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Rate {
        public long migratedPages;
    }

    /**
     * compact_memory on the freshly fragmented guest. Iterations are 1 ms long, so each runs exactly
     * one invocation: the iteration timer has long expired when the first compaction (after a ~1 s
     * setup) returns, and JMH's throughput loop runs the call once before it checks the timer.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 10, time = 1, timeUnit = TimeUnit.MILLISECONDS)
    @Measurement(iterations = 20, time = 1, timeUnit = TimeUnit.MILLISECONDS)
    public CompactStats compact(Fragmented f, Counters c, Rate rate) {
        long tid = Thread.currentThread().getId();
        long alloc0 = THREADS.getThreadAllocatedBytes(tid);
        CompactStats s = f.guest.compaction().compactMemory();
        c.allocBytes += THREADS.getThreadAllocatedBytes(tid) - alloc0;
        rate.migratedPages += s.migrated();
        c.migrated += s.migrated();
        c.failed += s.failed();
        c.migrateScanned += s.migrateScanned();
        c.freeScanned += s.freeScanned();
        f.stats = s;
        return s;
    }

    /** Two 512 MiB direct pools and a random visiting order for each. */
    @State(Scope.Thread)
    public static class Pools {
        ByteBuffer src;
        ByteBuffer dst;
        int[] srcOrder;
        int[] dstOrder;
        int next;

        @Setup(Level.Trial)
        public void allocate() {
            src = ByteBuffer.allocateDirect(POOL_PAGES * Mm.PAGE_SIZE);
            dst = ByteBuffer.allocateDirect(POOL_PAGES * Mm.PAGE_SIZE);
            for (int off = 0; off < POOL_PAGES * Mm.PAGE_SIZE; off += Long.BYTES) {
                src.putLong(off, off * 0x9E3779B97F4A7C15L); // touched and non-zero
                dst.putLong(off, 1);
            }
            Random rnd = new Random(42);
            srcOrder = permutation(rnd);
            dstOrder = permutation(rnd);
        }

        private static int[] permutation(Random rnd) {
            int[] p = new int[POOL_PAGES];
            for (int i = 0; i < p.length; i++) {
                p[i] = i;
            }
            for (int i = p.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            return p;
        }
    }

    /** One 4 KiB copy from a random page of one pool to a random page of the other. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public ByteBuffer coldCopy(Pools p) {
        int i = p.next;
        p.next = (i + 1) & (POOL_PAGES - 1);
        return p.dst.put(p.dstOrder[i] * Mm.PAGE_SIZE, p.src, p.srcOrder[i] * Mm.PAGE_SIZE, Mm.PAGE_SIZE);
    }

    /** The same 4 KiB page copied onto the same destination every time (L1/L2-resident). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public ByteBuffer hotCopy(Pools p) {
        return p.dst.put(0, p.src, Mm.PAGE_SIZE, Mm.PAGE_SIZE);
    }
}
