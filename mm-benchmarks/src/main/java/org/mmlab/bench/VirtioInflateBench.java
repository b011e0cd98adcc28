package org.mmlab.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.mmlab.balloon.Balloons;
import org.mmlab.balloon.internal.BalloonFixture;
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
 * Inflate and deflate throughput of the virtio-balloon driver against its simulated host, with the
 * host's acknowledgement of every request included: the number to set beside the kernel's published
 * cost of a balloon page (2.25 us a page on the legacy one-PFN-array path, 0.27 us with scatter-gather;
 * shared/reference/race-lab-and-performance.md section C).
 *
 * <p>Method. Each trial boots a fresh 4 GiB guest (mm-core as DS activates it, every property at its
 * default: 2025 contract, tag content, both debug checkers on unless {@link #checkers} is off) with the
 * real balloon infrastructure (balloon-api's BalloonCore and a DriverBalloons for the driver, from
 * balloon-api's test fixture BalloonFixture) and one virtio-balloon device whose host acknowledges at once. One invocation moves
 * {@link #PAGES} pages (256 MiB) the way the host asks for them: {@link #inflate} sets config num_pages
 * from 0 to 65536 and waits until the driver's update work reached it (fill_balloon in requests of 256
 * PFNs, each told to the host, discarded by it and acknowledged through the used ring and balloon_ack);
 * {@link #deflate} sets it back to 0 (leak_balloon, tell_host before put_page). The untimed setup of
 * each invocation brings the balloon to the other end. Single-shot time per invocation; pages per
 * second = 65536 / time, microseconds per page = time / 65536. {@link #features} switches
 * MUST_TELL_HOST (the default offer) against a host offering nothing but STATS_VQ.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10, batchSize = 1)
@Measurement(iterations = 30, batchSize = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class VirtioInflateBench {
    /** Pages one invocation moves: 256 MiB, 256 requests of 256 PFNs. */
    public static final int PAGES = 65_536;
    /** How often the measuring thread looks whether the driver is there: 0.25 % of a 20 ms invocation at most. */
    static final long LOOK_NS = 50_000;

    @Param({"default", "STATS_VQ"})
    public String features;

    /**
     * The debug checkers (mm:debug's vm and list): "on", the lab's default (CONFIG_DEBUG_VM and CONFIG_DEBUG_LIST),
     * or "off", as a production kernel runs (-p checkers=off).
     */
    @Param({"on"})
    public String checkers;

    private MmCore core;
    private VirtioBalloonDevice device;

    @Setup(Level.Trial)
    public void boot() {
        if (!"on".equals(checkers) && !"off".equals(checkers)) {
            throw new IllegalArgumentException("checkers=" + checkers + ": give on or off");
        }
        core = new MmCore(Configs.of(MmCore.Config.class,
                "on".equals(checkers) ? Map.of() : Map.of("debugVm", false, "debugList", false)));
        core.guest().compaction().kcompactd().stop();
        Balloons balloons = BalloonFixture.driverBalloons(core, "virtio-bundle", 2);
        String offer = "default".equals(features) ? Features.DEFAULT_OFFER : features;
        DeviceConfig c = DeviceConfig.parse("0", null, 0, offer, "0", 0, "normal", 60_000);
        device = new VirtioBalloonDevice(c, "bench~0", core, core, balloons, core.guest().hinting(), new DeviceRegistry());
    }

    @TearDown(Level.Trial)
    public void shutDown() {
        device.deactivate();
        if (device.driver().numPages() != 0 || device.host().view().held() != 0) {
            throw new IllegalStateException("pages left in the balloon after remove");
        }
        core.guest().compaction().kcompactd().stop();
        core.workload().stop();
    }

    /** Untimed: the balloon at the size the next invocation starts from. */
    @Setup(Level.Invocation)
    public void prepare(org.openjdk.jmh.infra.BenchmarkParams params) {
        moveTo(params.getBenchmark().endsWith("deflate") ? PAGES : 0);
    }

    /**
     * The host asks for pages; returns once the driver is there and idle. It looks every {@link #LOOK_NS} and
     * parks in between: a thread spinning here took one of the machine's two cores from the driver's worker
     * and the host's thread, which do the work measured (81 % of the CPU samples of an inflate were this loop's).
     */
    private void moveTo(long pages) {
        device.host().setTarget(pages);
        while (device.driver().numPages() != pages || device.host().actual() != pages || !device.driver().idle()) {
            LockSupport.parkNanos(LOOK_NS);
        }
    }

    @Benchmark
    public int inflate() {
        moveTo(PAGES);
        return device.driver().numPages();
    }

    @Benchmark
    public int deflate() {
        moveTo(0);
        return device.driver().numPages();
    }
}
