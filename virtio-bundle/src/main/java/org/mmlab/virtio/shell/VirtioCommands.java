package org.mmlab.virtio.shell;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.GuestRequired;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.Sizes;
import org.mmlab.virtio.VirtioBalloonState;
import org.mmlab.virtio.VirtioBalloons;
import org.mmlab.virtio.internal.BalloonHost;
import org.mmlab.virtio.internal.DeviceConfig;
import org.mmlab.virtio.internal.DeviceRegistry;
import org.mmlab.virtio.internal.HostMisbehaviour;
import org.mmlab.virtio.internal.Uapi;
import org.mmlab.virtio.internal.VirtioBalloonDevice;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.util.promise.Promise;

/**
 * The virtio: commands. A bad argument (an unknown device, a bad size, a bad behaviour) throws with
 * what is allowed and changes nothing; waits are bounded and print progress.
 */
@Component(service = VirtioCommands.class)
@GogoCommand(scope = "virtio", function = {"devices", "target", "stats", "features", "host", "hint"})
public class VirtioCommands {
    /** How long a command waits for a configured device that is still being probed. */
    static final long PROBE_WAIT_MS = 5_000;

    @Reference
    private DeviceRegistry registry;

    /** Dynamic, so that the commands stay (and take no part in the event) while mm:config reboots the guest. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MemoryManager mm;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configAdmin;

    @Descriptor("list the virtio-balloon devices: target, actual, pages inflated, frames the host holds")
    public void devices() {
        List<VirtioBalloonDevice> all = registry.all();
        if (all.isEmpty()) {
            System.out.println("no virtio-balloon device (make one with a factory configuration of "
                    + VirtioBalloons.FACTORY_PID + ")");
            return;
        }
        System.out.printf("%-8s %-9s %10s %10s %10s %10s %s%n", "DEVICE", "DEV", "TARGET", "ACTUAL", "NUM_PAGES",
                "HOST_HELD", "STATE");
        for (VirtioBalloonDevice d : all) {
            VirtioBalloonState s = d.state();
            System.out.printf("%-8s %-9s %10d %10d %10d %10d %s%n", s.name(), s.dev(), s.hostTarget(), s.actual(),
                    s.numPages(), s.hostHeld(), s.broken() ? "broken" : "host " + s.misbehaviour());
        }
    }

    @Descriptor("set the host's target (config num_pages) and wait until the driver reached it; prints progress,"
            + " or why it stopped")
    public void target(@Descriptor("the device, e.g. 0") String dev,
            @Descriptor("pages (262144) or a size (512M, 1G); at most the guest's memory") String size)
            throws InterruptedException {
        VirtioBalloonDevice d = device(dev);
        long pages = DeviceConfig.pages(size);
        int nrPages = guest().nrPages();
        if (pages > nrPages) {
            throw new IllegalArgumentException(String.format("%s (%d pages) is more than the guest's memory (%d pages):"
                    + " a host may ask for it anyway with virtio:host %s target %s", size, pages, nrPages, dev, size));
        }
        long t0 = System.currentTimeMillis();
        Promise<VirtioBalloonState> reached = registry.setTarget(dev, pages);
        CountDownLatch done = new CountDownLatch(1);
        reached.onResolve(done::countDown);
        while (!done.await(1, TimeUnit.SECONDS)) {
            long now = d.driver().numPages();
            System.out.printf("device %s: %s %d of %d pages%n", dev, now < pages ? "inflating" : "deflating", now,
                    pages);
        }
        try {
            VirtioBalloonState s = reached.getValue();
            System.out.printf("device %s: %d pages (%s) in the balloon, host holds %d; %d ms%n", dev, s.numPages(),
                    Sizes.format(s.numPages()), s.hostHeld(), System.currentTimeMillis() - t0);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    @Descriptor("show the sixteen stats the host last received (asks the guest for fresh ones first), and which the"
            + " lab has no source for")
    public void stats(@Descriptor("the device, e.g. 0") String dev) throws InterruptedException {
        VirtioBalloonDevice d = device(dev);
        if (!d.vdev().hasFeature(Uapi.VIRTIO_BALLOON_F_STATS_VQ)) {
            throw new IllegalStateException("device " + dev + " has no stats queue: STATS_VQ is not negotiated");
        }
        boolean fresh = d.host().requestStats(2_000);
        long[] s = d.host().lastStats();
        if (s == null) {
            throw new IllegalStateException("the host has received no stats from device " + dev + " yet");
        }
        System.out.println(fresh ? "stats (fresh):" : "stats (the guest did not answer in 2 s; the last ones):");
        for (int tag = 0; tag < Uapi.VIRTIO_BALLOON_S_NR; tag++) {
            String noSource = d.driver().statNoSource(tag);
            System.out.printf("%2d %-20s %d%s%n", tag, Uapi.STAT_NAMES.get(tag), s[tag],
                    noSource == null ? "" : "  (the lab has no source: " + noSource + ")");
        }
    }

    @Descriptor("show the features the host offers and those negotiated, by name")
    public void features(@Descriptor("the device, e.g. 0") String dev) {
        VirtioBalloonDevice d = device(dev);
        VirtioBalloonState s = d.state();
        System.out.printf("offered     %s%nnegotiated  %s%n", String.join(",", s.offered()),
                String.join(",", s.negotiated()));
        for (int bit = 0; bit < Uapi.FEATURE_NAMES.size(); bit++) {
            String name = Uapi.FEATURE_NAMES.get(bit);
            String note;
            if (!s.offered().contains(name)) {
                note = "not offered";
            } else if (!s.negotiated().contains(name)) {
                note = bit == Uapi.VIRTIO_BALLOON_F_PAGE_POISON
                        ? "offered, cleared by virtballoon_validate: the guest neither poisons nor zeroes freed pages"
                        : bit == Uapi.VIRTIO_BALLOON_F_REPORTING
                                ? "offered, cleared by virtballoon_validate: the guest poisons freed pages and"
                                        + " PAGE_POISON is not negotiated"
                                : "offered, not negotiated";
            } else {
                note = "negotiated";
            }
            System.out.printf("%d %-15s %s%n", bit, name, note);
        }
    }

    @Descriptor("show the host's view: frames held, target, acknowledged buffers, data loss, behaviour")
    public void host(@Descriptor("the device, e.g. 0") String dev) {
        VirtioBalloonDevice d = device(dev);
        BalloonHost h = d.host();
        BalloonHost.View v = h.view();
        System.out.printf("device %s (%s), host %s%n", dev, d.vdev().devName(), v.misbehaviour());
        System.out.printf("target       %d pages (%s)%n", h.target(), Sizes.format(h.target()));
        System.out.printf("actual       %d pages%n", h.actual());
        System.out.printf("held         %d frames%n", v.held());
        System.out.printf("acked        %d buffers (%d frames inflated, %d deflated)%n", v.ackedBuffers(), v.inflated(),
                v.deflated());
        System.out.printf("faulted in   %d frames (the guest touched them: possible only without MUST_TELL_HOST)%n",
                v.faultedIn());
        System.out.printf("data loss    %d guest accesses to held frames%n", v.dataLoss());
        System.out.printf("odd buffers  %d deflates of frames not held, %d inflates of frames already held%n",
                v.deflateNotHeld(), v.inflateAlreadyHeld());
        System.out.printf("hinting      cmd id %#x, %d blocks hinted%s%n", v.hintCmdId(), v.hintedBlocks(),
                v.hintStopped() ? ", stopped" : "");
        System.out.printf("reporting    %d buffers: %d pages discarded, %d kept (poison_val)%n", v.reportBuffers(),
                v.reportedPages(), v.reportSkipped());
        System.out.printf("device       %s%n", d.vdev().broken() ? "BROKEN (the driver gave up waiting)" : "ok");
    }

    @Descriptor("make the host misbehave or behave: normal | no-ack | ack-delay MS | target SIZE (any target, even"
            + " beyond memory, without waiting)")
    public void host(@Descriptor("the device, e.g. 0") String dev,
            @Descriptor("normal | no-ack | ack-delay | target") String action,
            @Descriptor("milliseconds (ack-delay) or a size (target)") String... arg) {
        VirtioBalloonDevice d = device(dev);
        String a = CommandArgs.given("ACTION", action).toLowerCase(Locale.ROOT);
        if (a.isBlank()) {
            throw new IllegalArgumentException("ACTION is empty: give normal, no-ack, ack-delay MS or target SIZE");
        }
        if ("target".equals(a)) {
            if (arg.length != 1) {
                throw new IllegalArgumentException("virtio:host " + dev + " target SIZE: give one size");
            }
            long pages = DeviceConfig.pages(arg[0]);
            d.host().setTarget(pages);
            System.out.printf("device %s: the host asks for %d pages (%s); the guest has %d%n", dev, pages,
                    Sizes.format(pages), guest().nrPages());
            return;
        }
        if (arg.length != ("ack-delay".equals(a) ? 1 : 0)) {
            throw new IllegalArgumentException("usage: virtio:host DEV normal|no-ack|ack-delay MS|target SIZE");
        }
        HostMisbehaviour m = HostMisbehaviour.parse(arg.length == 0 ? a : a + " " + arg[0]);
        d.host().setMisbehaviour(m);
        System.out.printf("device %s: host %s%n", dev, m);
    }

    @Descriptor("drive free page hinting as QEMU does for a migration: start (new command id; waits for the guest's"
            + " stop id), stop (CMD_ID_STOP) or done (CMD_ID_DONE: the guest takes its hinted pages back)")
    public void hint(@Descriptor("the device, e.g. 0") String dev, @Descriptor("start | stop | done") String action)
            throws InterruptedException {
        VirtioBalloonDevice d = device(dev);
        if (!d.vdev().hasFeature(Uapi.VIRTIO_BALLOON_F_FREE_PAGE_HINT)) {
            throw new IllegalStateException("device " + dev + ": FREE_PAGE_HINT is not negotiated");
        }
        switch (CommandArgs.given("ACTION", action)) {
            case "start": {
                long id = d.host().startHinting();
                boolean stopped = d.host().awaitHintStop(30_000);
                BalloonHost.View v = d.host().view();
                System.out.printf("cmd id %#x: %d blocks (%d pages) hinted%s; the guest holds %d blocks until done%n",
                        id, v.hintedBlocks(), v.hintedBlocks() << 10, stopped ? ", guest sent its stop id"
                                : ", still hinting after 30 s", d.state().hintedBlocks());
                break;
            }
            case "stop":
                d.host().sendHintCommand(Uapi.VIRTIO_BALLOON_CMD_ID_STOP);
                System.out.println("sent CMD_ID_STOP");
                break;
            case "done":
                d.host().sendHintCommand(Uapi.VIRTIO_BALLOON_CMD_ID_DONE);
                System.out.println("sent CMD_ID_DONE: the guest returns its hinted pages to the allocator");
                break;
            default:
                throw new IllegalArgumentException("'" + action + "' is not a hint action: use start, stop or done");
        }
    }

    private MemoryManager guest() {
        return GuestRequired.held(mm);
    }

    /** The device, waiting a little for one that is configured but still being probed. */
    private VirtioBalloonDevice device(String dev) {
        Optional<VirtioBalloonDevice> d = registry.get(CommandArgs.given("DEV", dev));
        if (d.isPresent()) {
            return d.get();
        }
        if (configured(dev)) {
            try {
                registry.probed(dev).timeout(PROBE_WAIT_MS).getValue();
                d = registry.get(dev);
            } catch (InvocationTargetException e) {
                d = Optional.empty(); // its probe failed, or it took too long
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return d.orElseThrow(() -> new IllegalArgumentException("device '" + dev + "' is configured but not"
                    + " running (its activation may have failed: see the log: log warn)"));
        }
        throw new IllegalArgumentException("no virtio-balloon device '" + dev + "'; devices: " + registry.names());
    }

    private boolean configured(String dev) {
        ConfigurationAdmin cm = configAdmin;
        if (cm == null) {
            return false;
        }
        try {
            Configuration[] cs = cm.listConfigurations("(service.factoryPid=" + VirtioBalloons.FACTORY_PID + ")");
            if (cs == null) {
                return false;
            }
            for (Configuration c : cs) {
                Object name = c.getProperties() == null ? null : c.getProperties().get("name");
                String pid = c.getPid();
                String n = name == null || name.toString().isBlank() ? pid.substring(pid.lastIndexOf('~') + 1)
                        : name.toString();
                if (n.equals(dev)) {
                    return true;
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            return false;
        }
        return false;
    }
}
