package org.mmlab.xen.shell;

import java.util.Arrays;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.Sizes;
import org.mmlab.xen.XenBalloonState;
import org.mmlab.xen.XenBalloons;
import org.mmlab.xen.internal.DeviceRegistry;
import org.mmlab.xen.internal.XenBalloon;
import org.mmlab.xen.internal.XenDevice;
import org.mmlab.xen.internal.XenHypervisor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The xen: commands. A bad argument (an unknown device, a bad size or count) throws with what is allowed and
 * changes nothing; waits are bounded and print progress.
 */
@Component(service = XenCommands.class)
@GogoCommand(scope = "xen", function = {"devices", "target", "stats", "alloc", "free"})
public class XenCommands {
    /** How long xen:target waits without the balloon changing before it says why it stopped. */
    static final long STALL_MS = 5_000;
    /** The most xen:alloc and xen:free take at once. */
    static final int MAX_BACKEND_PAGES = 65_536;

    @Reference
    private DeviceRegistry registry;

    @Descriptor("list the XEN balloons: memory/target, the balloon's size, pages ballooned and lent to backends,"
            + " frames the hypervisor holds, the balloon thread's state")
    public void devices() {
        if (registry.devices().isEmpty()) {
            System.out.println("no XEN balloon (make one with a factory configuration of " + XenBalloons.FACTORY_PID
                    + ")");
            return;
        }
        System.out.printf("%-8s %12s %10s %10s %10s %10s %10s  %s%n", "DEVICE", "TARGET_KIB", "SIZE", "BALLOONED", "LENT",
                "HOST_HELD", "CURRENT", "STATE");
        for (XenBalloonState s : registry.devices()) {
            System.out.printf("%-8s %12d %10d %10d %10d %10d %10d  %s%n", s.name(), s.xenstoreTargetKiB(), s.size(),
                    s.ballooned(), s.lent(), s.hostHeld(), s.currentPages(), s.state());
        }
    }

    @Descriptor("the toolstack writes memory/target (xl mem-set) for a balloon of SIZE and this waits until the"
            + " balloon is there; prints progress, or why the balloon thread stopped")
    public void target(@Descriptor("the device, e.g. 0") String dev,
            @Descriptor("4 KiB pages (262144) or a size (512M, 1G); at most the guest's memory") String size)
            throws InterruptedException {
        XenDevice d = device(dev);
        long pages = Sizes.pages(CommandArgs.given("SIZE", size));
        long t0 = System.currentTimeMillis();
        XenBalloon.Stats s = d.driver().stats();
        registry.setBalloonTarget(d.deviceName(), pages);
        long changedAt = t0;
        long lastPrint = t0;
        long startPasses = s.passes();
        while (s.size() != pages || s.targetSize() != pages) {
            XenBalloon.Stats next = d.driver().awaitPass(pages, s.passes(), 1_000);
            if (next.state() == XenBalloon.BpState.BP_ECANCELED && next.passes() > startPasses
                    && next.size() != pages) {
                throw new IllegalStateException(String.format("device %s stopped at %d of %d pages: the balloon thread"
                        + " gave up (BP_ECANCELED after %d retries; MemAvailable is what it may balloon)", dev,
                        next.size(), pages, XenBalloon.MAX_RETRY_COUNT));
            }
            long t = System.currentTimeMillis();
            if (next.size() != s.size()) {
                changedAt = t;
            } else if (t - changedAt > STALL_MS) {
                throw new IllegalStateException(String.format("device %s stopped at %d of %d pages: no progress for %d s"
                        + " (%s)", dev, next.size(), pages, STALL_MS / 1000, next.state()));
            }
            s = next;
            if (t - lastPrint >= 1_000) {
                System.out.printf("device %s: %s %d of %d pages (%s)%n", dev, s.size() < pages ? "ballooning"
                        : "deballooning", s.size(), pages, s.state());
                lastPrint = t;
            }
        }
        System.out.printf("device %s: a balloon of %d pages (%s), %d on ballooned_pages, %d lent; the hypervisor holds"
                + " %d frames; %d ms%n", dev, s.size(), Sizes.format(s.size()), s.balloonLow(), s.lent(),
                d.driver().hypervisor().view().held(), System.currentTimeMillis() - t0);
    }

    @Descriptor("show balloon_stats as /sys/devices/system/xen_memory/xen_memory0 does, the xenstore's"
            + " memory/target and the hypervisor's view")
    public void stats(@Descriptor("the device, e.g. 0") String dev) {
        XenDevice d = device(dev);
        XenBalloon.Stats s = d.driver().stats();
        XenHypervisor.View v = d.driver().hypervisor().view();
        System.out.printf("memory/target        %s KiB (xenstore)%n", d.driver().xenstoreTarget());
        System.out.printf("target_kb            %d%n", s.targetPages() * 4);
        System.out.printf("info/current_kb      %d%n", s.currentPages() * 4);
        System.out.printf("info/low_kb          %d%n", s.balloonLow() * 4);
        System.out.printf("info/high_kb         0%n");
        System.out.printf("target_unpopulated   %d pages (%d lent to backends)%n", s.targetUnpopulated(), s.lent());
        System.out.printf("schedule_delay       %d (max %d)%n", s.scheduleDelay(), XenBalloon.MAX_SCHEDULE_DELAY);
        System.out.printf("retry_count          %d (max %d)%n", s.retryCount(), XenBalloon.MAX_RETRY_COUNT);
        System.out.printf("state                %s%n", s.state());
        System.out.printf("hypervisor           holds %d frames; %d decreased, %d populated; %d guest accesses to"
                + " held frames%n", v.held(), v.decreased(), v.populated(), v.dataLoss());
    }

    @Descriptor("a backend driver takes N ballooned pages (xen_alloc_ballooned_pages(): no memory behind them, for"
            + " other domains' grants), ballooning more first if the balloon has too few")
    public void alloc(@Descriptor("the device, e.g. 0") String dev,
            @Descriptor("pages, 1 to 65536") String n) {
        XenDevice d = device(dev);
        int count = CommandArgs.intNumber("N", n, 1, MAX_BACKEND_PAGES);
        int[] pfns = registry.allocBallooned(d.deviceName(), count);
        System.out.printf("device %s: the backend holds %d more pages (pfn %s); %d lent in all%n", dev, pfns.length,
                pfns.length <= 4 ? Arrays.toString(pfns) : String.format("%#x ... %#x", pfns[0], pfns[pfns.length - 1]),
                d.driver().stats().lent());
    }

    @Descriptor("the backend gives back the last N pages it took (xen_free_ballooned_pages()); the balloon thread"
            + " deballoons them if the target asks")
    public void free(@Descriptor("the device, e.g. 0") String dev,
            @Descriptor("pages, 1 to what the backends hold") String n) {
        XenDevice d = device(dev);
        int count = CommandArgs.intNumber("N", n, 1, MAX_BACKEND_PAGES);
        registry.freeBallooned(d.deviceName(), count);
        System.out.printf("device %s: %d pages back on ballooned_pages; %d lent%n", dev, count,
                d.driver().stats().lent());
    }

    private XenDevice device(String name) {
        return registry.require(CommandArgs.given("DEV", name));
    }
}
