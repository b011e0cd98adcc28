package org.mmlab.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Map;

import org.mmlab.balloon.Balloons;
import org.mmlab.balloon.internal.BalloonFixture;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.internal.MmCore;
import org.mmlab.mm.internal.MovablePagesImpl;
import org.mmlab.vmware.internal.DeviceConfig;
import org.mmlab.vmware.internal.DeviceRegistry;
import org.mmlab.vmware.internal.VmwDevice;

/** VmwInflateBench's set-up, but the process's CPU time of each move, the caller sleeping instead of spinning. */
public class VmwCpuProbe {
    static com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] a) throws Exception {
        String mode = a[0];
        int n = Integer.parseInt(a[1]);
        MmCore core = new MmCore(Configs.of(MmCore.Config.class, Map.of()));
        core.guest().compaction().kcompactd().stop();
        Balloons balloons = BalloonFixture.driverBalloons(core, "vmware-bundle", 3);
        MovablePages pages = (MovablePages) MovablePagesImpl.forBundle(core.guest(), "vmware-bundle", 3);
        String caps = switch (mode) {
            case "2M-batched" -> "BASIC_CMDS,BATCHED_CMDS,BATCHED_2M_CMDS,SIGNALLED_WAKEUP_CMD,64_BIT_TARGET";
            case "4k-batched" -> "BASIC_CMDS,BATCHED_CMDS,SIGNALLED_WAKEUP_CMD,64_BIT_TARGET";
            default -> "BASIC_CMDS,SIGNALLED_WAKEUP_CMD";
        };
        VmwDevice d = new VmwDevice(DeviceConfig.parse("0", null, "0", caps, "normal", false, "enoent"), core, core,
                balloons, pages, new DeviceRegistry());
        move(d, 0);
        double[] in = new double[n], out = new double[n];
        for (int i = 0; i < n + 10; i++) {
            long t0 = cpu();
            move(d, 65_536);
            long t1 = cpu();
            move(d, 0);
            long t2 = cpu();
            if (i >= 10) {
                in[i - 10] = (t1 - t0) / 1e6;
                out[i - 10] = (t2 - t1) / 1e6;
            }
        }
        Arrays.sort(in);
        Arrays.sort(out);
        System.out.printf("%s inflate %.2f (%.2f-%.2f) deflate %.2f (%.2f-%.2f) ms CPU%n", mode, in[n / 2], in[n / 4],
                in[3 * n / 4], out[n / 2], out[n / 4], out[3 * n / 4]);
        d.deactivate();
        core.workload().stop();
        System.exit(0);
    }

    /** The CPU time of every live thread, in ns (the JVM's GC threads aside). */
    static long cpu() {
        java.lang.management.ThreadMXBean t = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : t.getAllThreadIds()) {
            long c = t.getThreadCpuTime(id);
            sum += Math.max(c, 0);
        }
        return sum;
    }

    static void move(VmwDevice d, long frames) throws InterruptedException {
        d.hypervisor().setTarget(frames);
        while (!d.driver().reached(frames)) {
            Thread.sleep(1);
        }
    }
}
