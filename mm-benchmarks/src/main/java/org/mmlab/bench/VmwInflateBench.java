package org.mmlab.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.mmlab.balloon.Balloons;
import org.mmlab.balloon.internal.BalloonFixture;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.internal.MmCore;
import org.mmlab.mm.internal.MovablePagesImpl;
import org.mmlab.vmware.internal.DeviceConfig;
import org.mmlab.vmware.internal.DeviceRegistry;
import org.mmlab.vmware.internal.VmwDevice;
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
 * Inflate and deflate throughput of the VMware balloon driver (vmware-bundle) against its simulated
 * hypervisor, the hypervisor's answer to every command included: the figure beside
 * {@link VirtioInflateBench}'s, measured the same way and in the same run.
 *
 * <p>Method. Each trial boots a fresh 4 GiB guest (mm-core as DS activates it, every property at its
 * default: 2025 contract, tag content, both debug checkers on) with the real balloon infrastructure
 * (balloon-api's BalloonFixture) and one VMware balloon whose hypervisor offers the mode's capabilities.
 * One invocation moves {@link #FRAMES} frames (256 MiB) the way the hypervisor asks for them: it sets its
 * target from 0 to 65536 frames ({@link #inflate}) or back to 0 ({@link #deflate}) and rings the
 * doorbell; the invocation ends when vmballoon_work() has reached it and the work is idle. Modes:
 * {@code 2M-batched}, 128 pages of 2 MiB in one BATCHED_2M_LOCK of 128 entries (every capability);
 * {@code 4k-batched}, 65536 pages in 128 BATCHED_LOCKs of 512 entries (no BATCHED_2M_CMDS);
 * {@code 4k-single}, 65536 pages, one LOCK each (BASIC_CMDS and the doorbell only, no batching). The
 * untimed setup of each invocation brings the balloon to the other end. Single-shot time per invocation;
 * microseconds per frame = time / 65536, per page = time / pages.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10, batchSize = 1)
@Measurement(iterations = 30, batchSize = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class VmwInflateBench {
    /** Frames one invocation moves: 256 MiB, as VirtioInflateBench's pages. */
    public static final int FRAMES = 65_536;

    @Param({"2M-batched", "4k-batched", "4k-single"})
    public String mode;

    private MmCore core;
    private VmwDevice device;

    @Setup(Level.Trial)
    public void boot() {
        core = new MmCore(Configs.of(MmCore.Config.class, Map.of()));
        core.guest().compaction().kcompactd().stop();
        Balloons balloons = BalloonFixture.driverBalloons(core, "vmware-bundle", 3);
        MovablePages pages = (MovablePages) MovablePagesImpl.forBundle(core.guest(), "vmware-bundle", 3);
        String caps = switch (mode) {
            case "2M-batched" -> "BASIC_CMDS,BATCHED_CMDS,BATCHED_2M_CMDS,SIGNALLED_WAKEUP_CMD,64_BIT_TARGET";
            case "4k-batched" -> "BASIC_CMDS,BATCHED_CMDS,SIGNALLED_WAKEUP_CMD,64_BIT_TARGET";
            default -> "BASIC_CMDS,SIGNALLED_WAKEUP_CMD";
        };
        device = new VmwDevice(DeviceConfig.parse("0", null, "0", caps, "normal", false, "enoent"), core, core, balloons,
                pages, new DeviceRegistry());
        moveTo(0); // the first work resets the protocol: START, batching, the doorbell
    }

    @TearDown(Level.Trial)
    public void shutDown() {
        device.deactivate();
        if (device.hypervisor().view().held() != 0) {
            throw new IllegalStateException("frames left with the hypervisor after the exit");
        }
        core.workload().stop();
    }

    /** Untimed: the balloon at the size the next invocation starts from. */
    @Setup(Level.Invocation)
    public void prepare(org.openjdk.jmh.infra.BenchmarkParams params) {
        moveTo(params.getBenchmark().endsWith("deflate") ? FRAMES : 0);
    }

    private void moveTo(long frames) {
        device.hypervisor().setTarget(frames);
        while (!device.driver().reached(frames)) {
            Thread.onSpinWait();
        }
    }

    @Benchmark
    public long inflate() {
        moveTo(FRAMES);
        return device.driver().size();
    }

    @Benchmark
    public long deflate() {
        moveTo(0);
        return device.driver().size();
    }
}
