package org.mmlab.bench;

import java.util.concurrent.TimeUnit;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.internal.GuestMemory;
import org.mmlab.mm.internal.MmConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the buddy allocator (mm/page_alloc.c as PageAlloc models it): one operation is
 * one {@code alloc_pages(gfp, order)} followed by {@code __free_pages(pfn, order)} of the block
 * it returned, through {@link GuestMemory}'s entry points (stop_machine read section, zone lock,
 * vmstat counters included).
 *
 * <p>Method. Each trial boots a fresh 4 GiB guest ({@code MmConfig.parse("4G", "3G", "tag",
 * debugVm, debugList)}: DMA32 3 GiB, Normal 1 GiB, 64-bit content tags). GFP_KERNEL (unmovable)
 * and GFP_HIGHUSER_MOVABLE (movable) both allocate from ZONE_NORMAL; neither sets __GFP_COMP.
 * The guest is left in one of two states ({@link #memory}):
 * <ul>
 * <li>{@code booted}: all free memory sits in MAX_PAGE_ORDER (order-10, 4 MiB) blocks, as
 * memblock_free_all() left it. An order-9 pair splits an order-10 block and merges it back once
 * (expand, __free_one_page). An order-0 pair goes through the CPU's per-cpu list (the guest has one
 * CPU's pagesets): the first refill takes pcp->batch pages off the buddy allocator under one
 * zone->lock hold, then each pair takes the list's first page and puts it back at its head, with no
 * zone->lock at all (pcp->lock is tried, not waited for).</li>
 * <li>{@code fragmented}: setup allocates 64 blocks of the measured order and frees every other
 * one, so 32 free blocks of that order have allocated buddies. An order-9 pair then takes the first
 * block of the free list and puts it back with no split and no merge: the buddy allocator's shortest
 * path. For order 0 the pair is the per-cpu list's as in the booted state.</li>
 * </ul>
 * {@link #pair} runs on one thread; {@link #pairTwoThreads} runs the same operation on two
 * threads against the one shared guest (the score is the sum of both threads' ops/s), so they
 * contend for zone->lock, the one CPU's pcp->lock (the thread that finds it taken uses the buddy
 * allocator) and the vmstat adders. debugVm and debugList switch the
 * CONFIG_DEBUG_VM and CONFIG_DEBUG_LIST checkers. Teardown drains the per-cpu lists and checks that
 * every page came back.
 *
 * <p>Nothing is allocated on the measured path by this class: the block's PFN is an int, returned
 * to JMH's blackhole. (Run with {@code -prof gc} to see what mm-core itself allocates per op.)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class AllocFreeBench {
    /** Blocks of the measured order that setup allocates for the fragmented state (half are freed). */
    static final int FRAGMENT_BLOCKS = 64;

    @Param({"0", "9"})
    public int order;

    @Param({"GFP_KERNEL", "GFP_HIGHUSER_MOVABLE"})
    public String gfp;

    @Param({"false", "true"})
    public boolean debugVm;

    @Param({"false", "true"})
    public boolean debugList;

    @Param({"booted", "fragmented"})
    public String memory;

    private GuestMemory guest;
    private int gfpMask;
    /** The blocks the fragmented state keeps allocated for the whole trial. */
    private int[] held = new int[0];

    @Setup
    public void boot() {
        guest = new GuestMemory(MmConfig.parse("4G", "3G", "tag", debugVm, debugList));
        gfpMask = Gfp.parse(gfp);
        switch (memory) {
            case "booted":
                break;
            case "fragmented":
                int[] blocks = new int[FRAGMENT_BLOCKS];
                for (int i = 0; i < blocks.length; i++) {
                    blocks[i] = allocOrFail();
                }
                held = new int[FRAGMENT_BLOCKS / 2];
                for (int i = 0; i < blocks.length; i++) {
                    if (i % 2 == 0) {
                        guest.freePages(blocks[i], order);
                    } else {
                        held[i / 2] = blocks[i];
                    }
                }
                break;
            default:
                throw new IllegalArgumentException("memory=" + memory + ": must be booted or fragmented");
        }
    }

    private int allocOrFail() {
        int pfn = guest.allocPages(gfpMask, order);
        if (pfn == Mm.NO_PAGE) {
            throw new IllegalStateException("alloc_pages(" + gfp + ", " + order + ") failed on a fresh guest");
        }
        return pfn;
    }

    @TearDown
    public void checkNothingLeaked() {
        for (int pfn : held) {
            guest.freePages(pfn, order);
        }
        guest.drainAllPages();
        if (guest.freePages() != guest.managedPages() || guest.debug().reports() != 0) {
            throw new IllegalStateException("after the trial: " + guest.freePages() + " free of " + guest.managedPages()
                    + " managed pages, " + guest.debug().reports() + " checker reports\n"
                    + String.join("\n", guest.dmesg().lines()));
        }
    }

    /** One alloc_pages + __free_pages pair on one thread. */
    @Benchmark
    public int pair() {
        int pfn = guest.allocPages(gfpMask, order);
        guest.freePages(pfn, order); // NO_PAGE (-1) throws: a failed allocation fails the run
        return pfn;
    }

    /** The same pair on two threads sharing the guest; the score is both threads' pairs per second. */
    @Benchmark
    @Threads(2)
    public int pairTwoThreads() {
        int pfn = guest.allocPages(gfpMask, order);
        guest.freePages(pfn, order);
        return pfn;
    }
}
