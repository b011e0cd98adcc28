package org.mmlab.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.mmlab.aeration.internal.AerationComponent;
import org.mmlab.balloon.Balloons;
import org.mmlab.balloon.internal.BalloonFixture;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.internal.MmCore;
import org.mmlab.virtio.internal.DeviceConfig;
import org.mmlab.virtio.internal.DeviceRegistry;
import org.mmlab.virtio.internal.Features;
import org.mmlab.virtio.internal.VirtioBalloonDevice;
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
 * What free page hinting costs the allocator, and how fast it hands pages to the host, for each design
 * (aeration-bundle's off, the 2019 aerator and mainline page reporting) behind a virtio-balloon device
 * that offers VIRTIO_BALLOON_F_REPORTING, against its simulated host (which discards the frames it is
 * given and backs them again when the guest writes them).
 *
 * <p>Method. Each trial boots a fresh 4 GiB guest (every mm-core property at its default; kcompactd
 * stopped so that only the benchmark allocates and frees), the real balloon infrastructure from
 * balloon-api's test fixture, aeration-bundle's component with the design under test and one virtio
 * device bound to it as the hinting device.
 * <ul>
 * <li>{@link #allocFree} (Throughput): one op = alloc_pages(GFP_HIGHUSER_MOVABLE, order) + a write to
 * its first page + __free_pages, with the design's free-path hook in force and its delayed work running
 * on its own schedule (autoRun), as in a guest. Order 9 is pageblock_order, the order both designs hint
 * by default: each free of such a block calls the hook. The same run measures off, so the ratio to off
 * is the cost of the design (mainline's series measured -0.2% to -1.7% on will-it-scale).</li>
 * <li>{@link #hintPass} (SingleShotTime): the design's work runs (as aerate:kick runs it) over
 * {@link #HINT_PAGES} pages freed since its last pass, in pageblock-order blocks, until it has no more
 * to do. Pages hinted per second = HINT_PAGES / time; the teardown fails the run if the design did not
 * hint every one of them, so the figure is never that of a pass that skipped its work.</li>
 * </ul>
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class HintingBench {
    /** Pages freed before each measured hinting pass: 256 MiB in 128 pageblocks. */
    public static final int HINT_PAGES = 65_536;

    /** The guest, the design and its device, shared by the benchmark's thread and the design's work. */
    abstract static class Guest {
        MmCore core;
        AerationComponent aeration;
        VirtioBalloonDevice device;

        void boot(String design, boolean autoRun) {
            core = new MmCore(Configs.of(MmCore.Config.class, Map.of()));
            core.guest().compaction().kcompactd().stop();
            aeration = new AerationComponent(Configs.of(AerationComponent.Config.class,
                    Map.of("design", design, "autoRun", autoRun)), core.guest().hinting(), core, core);
            Balloons balloons = BalloonFixture.driverBalloons(core, "virtio-bundle", 2);
            DeviceConfig c = DeviceConfig.parse("0", null, 0, Features.DEVICE0_OFFER, "0", 0, "normal", 60_000);
            device = new VirtioBalloonDevice(c, "bench~0", core, core, balloons, core.guest().hinting(),
                    new DeviceRegistry());
            device.bindFreePageReporting(aeration);
            if (!"off".equals(design) && aeration.status().device() == null) {
                throw new IllegalStateException("the virtio device did not register with " + design);
            }
        }

        void shutDown() {
            device.unbindFreePageReporting(aeration);
            device.deactivate();
            core.workload().stop();
        }
    }

    @State(Scope.Benchmark)
    public static class AllocFree extends Guest {
        @Param({"off", "aerator", "reporting"})
        public String design;

        @Param({"0", "9"})
        public int order;

        @Setup(Level.Trial)
        public void setUp() {
            boot(design, true);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            shutDown();
        }
    }

    @State(Scope.Benchmark)
    public static class Pass extends Guest {
        @Param({"aerator", "reporting"})
        public String design;

        private final int[] blocks = new int[HINT_PAGES >> Mm.PAGEBLOCK_ORDER];
        private long hintedBefore;

        @Setup(Level.Trial)
        public void setUp() {
            boot(design, false);
            aeration.kick(AerationComponent.KICK_PASSES); // the boot's free memory, once
        }

        /** 128 pageblocks taken and given back: free, and not hinted since. */
        @Setup(Level.Invocation)
        public void freeBlocks() {
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = core.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, Mm.PAGEBLOCK_ORDER);
                if (blocks[i] == Mm.NO_PAGE) {
                    throw new IllegalStateException("no pageblock free for the pass");
                }
                core.writePage(blocks[i], i);
            }
            for (int pfn : blocks) {
                core.freePages(pfn, Mm.PAGEBLOCK_ORDER);
            }
            hintedBefore = aeration.status().pagesHinted();
        }

        @TearDown(Level.Invocation)
        public void checkHinted() {
            long hinted = aeration.status().pagesHinted() - hintedBefore;
            if (hinted < HINT_PAGES) {
                throw new IllegalStateException(design + " hinted " + hinted + " of the " + HINT_PAGES + " pages freed");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            shutDown();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int allocFree(AllocFree g) {
        int pfn = g.core.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, g.order);
        g.core.writePage(pfn, pfn);
        g.core.freePages(pfn, g.order);
        return pfn;
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 5, batchSize = 1)
    @Measurement(iterations = 20, batchSize = 1)
    public Object hintPass(Pass g) {
        return g.aeration.kick(AerationComponent.KICK_PASSES);
    }
}
