package org.mmlab.hyperv.shell;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.hyperv.HvBalloonState;
import org.mmlab.hyperv.HvBalloons;
import org.mmlab.hyperv.internal.DeviceRegistry;
import org.mmlab.hyperv.internal.HvDevice;
import org.mmlab.hyperv.internal.HvHost;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.GuestRequired;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.Sizes;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The hv: commands. A bad argument (an unknown device, a bad size) throws with what is allowed and changes
 * nothing; waits are bounded and print progress.
 */
@Component(service = HvCommands.class)
@GogoCommand(scope = "hv", function = {"devices", "target", "host", "hotadd"})
public class HvCommands {
    /** How long hv:target waits without the balloon changing before it says why it stopped. */
    static final long STALL_MS = 5_000;

    @Reference
    private DeviceRegistry registry;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MemoryManager mm;

    @Descriptor("list the Hyper-V balloons: the host's target, pages ballooned, frames the host holds, the floor,"
            + " the hot-add space")
    public void devices() {
        if (registry.devices().isEmpty()) {
            System.out.println("no Hyper-V balloon (make one with a factory configuration of " + HvBalloons.FACTORY_PID
                    + ")");
            return;
        }
        System.out.printf("%-8s %10s %10s %10s %10s %10s %10s %12s  %s%n", "DEVICE", "TARGET", "BALLOONED", "HOST_HELD",
                "FLOOR", "HOTADD", "ONLINE", "FAKE_OFFLINE", "PROTOCOL");
        for (HvBalloonState s : registry.devices()) {
            System.out.printf("%-8s %10d %10d %10d %10d %10d %10d %12d  %s%n", s.name(), s.hostTarget(), s.ballooned(),
                    s.hostHeld(), s.floor(), s.hotAddSpace(), s.onlined(), s.fakeOffline(), s.version());
        }
    }

    @Descriptor("the host asks for a balloon of SIZE (DM_BALLOON_REQUEST, or DM_UNBALLOON_REQUEST to give pages"
            + " back) and this waits until the guest's balloon is there; prints progress, or why it stopped")
    public void target(@Descriptor("the device, e.g. 0") String dev,
            @Descriptor("4 KiB pages (262144) or a size (512M, 1G); at most the guest's memory") String size)
            throws InterruptedException {
        HvDevice d = device(dev);
        long pages = Sizes.pages(CommandArgs.given("SIZE", size));
        if (pages > guest().nrPages()) {
            throw new IllegalArgumentException(String.format("%s (%d pages) is more than the guest's memory (%d pages)",
                    size, pages, guest().nrPages()));
        }
        long t0 = System.currentTimeMillis();
        registry.setHostTarget(d.deviceName(), pages);
        long now = d.host().view().ballooned();
        long changedAt = t0;
        long lastPrint = t0;
        while (now != pages) {
            long next = d.host().awaitBallooned(now, 1_000);
            String why = d.host().view().why();
            if (next == now && !why.isEmpty()) {
                throw new IllegalStateException(String.format("device %s stopped at %d of %d pages: %s", dev, now, pages,
                        why));
            }
            long t = System.currentTimeMillis();
            if (next != now) {
                changedAt = t;
                now = next;
            } else if (t - changedAt > STALL_MS) {
                throw new IllegalStateException(String.format("device %s stopped at %d of %d pages: no progress for %d s",
                        dev, now, pages, STALL_MS / 1000));
            }
            if (t - lastPrint >= 1_000) {
                System.out.printf("device %s: %s %d of %d pages%n", dev, now < pages ? "ballooning" : "unballooning", now,
                        pages);
                lastPrint = t;
            }
        }
        System.out.printf("device %s: %d pages (%s) ballooned, the host holds %d frames; %d ms%n", dev, now,
                Sizes.format(now), d.host().view().held(), System.currentTimeMillis() - t0);
    }

    @Descriptor("show the host's view: target, frames held, requests sent, the protocol, the guest's last pressure"
            + " report, why it stopped short, data loss")
    public void host(@Descriptor("the device, e.g. 0") String dev) {
        HvDevice d = device(dev);
        HvHost.View v = d.host().view();
        System.out.printf("device %s, protocol %s%n", dev, v.version());
        System.out.printf("target        %d pages (%s)%n", v.target(), Sizes.format(v.target()));
        System.out.printf("held          %d frames (%d ballooned)%n", v.held(), v.ballooned());
        System.out.printf("requests      %d balloon and unballoon requests sent%n", v.requests());
        System.out.printf("status        %s (the guest's last DM_STATUS_REPORT, in pages)%n", v.lastStatus());
        if (!v.why().isEmpty()) {
            System.out.printf("stopped       %s%n", v.why());
        }
        System.out.printf("data loss     %d guest accesses to held frames%n", v.dataLoss());
    }

    @Descriptor("the host hot-adds SIZE of the device's hot-add space (DM_MEM_HOT_ADD_REQUEST): the guest adds the"
            + " 128 MiB blocks that hold it and onlines what the host backs; the rest of those blocks stays fake offline")
    public void hotadd(@Descriptor("the device, e.g. 0") String dev,
            @Descriptor("4 KiB pages or a size (100M); at most what the space has left") String size)
            throws InterruptedException {
        HvDevice d = device(dev);
        long pages = Sizes.pages(CommandArgs.given("SIZE", size));
        long before = d.driver().space().onlined();
        registry.hotAdd(d.deviceName(), pages);
        long online = d.driver().space().awaitOnlined(before + pages, STALL_MS);
        HvBalloonState s = d.state();
        System.out.printf("device %s: %d pages hot-added, %d online, %d fake offline (PageOffline until the host backs"
                + " them)%s%n", dev, s.added(), s.onlined(), s.fakeOffline(), online < before + pages
                        ? "; the guest has not onlined them all yet" : "");
    }

    private MemoryManager guest() {
        return GuestRequired.held(mm);
    }

    private HvDevice device(String name) {
        return registry.require(CommandArgs.given("DEV", name));
    }
}
