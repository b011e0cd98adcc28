package org.mmlab.virtio.shell;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.CommandArgs;
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

/**
 * The virtio: commands. A bad argument (an unknown device, a bad size, a bad behaviour) throws with
 * what is allowed and changes nothing; waits are bounded and print progress.
 */
@Component(service = VirtioCommands.class)
@GogoCommand(scope = "virtio", function = {"devices", "target", "stats", "features", "host", "hint"})
public class VirtioCommands {
    /** How long virtio:target waits without progress before it says why it stopped. */
    static final long STALL_MS = 5_000;
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
        if (d.vdev().broken()) {
            throw new IllegalStateException("device " + dev + " is broken (see mm:dmesg): it takes no request until"
                    + " it is reset (change or re-create its configuration, or restart virtio-bundle)");
        }
        long t0 = System.currentTimeMillis();
        // a stall is judged only after the driver's own patience with the host has run out
        TargetProgress progress = new TargetProgress(pages, d.driver().numPages(), d.driver().oomDeflatedPages(),
                Math.max(STALL_MS, d.driver().ackTimeoutMs() + 1_000), t0);
        d.host().setTarget(pages);
        long lastPrint = t0;
        while (true) {
            long now = d.driver().numPages();
            if (now == pages && d.host().actual() == pages && d.driver().idle()) {
                System.out.printf("device %s: %d pages (%s) in the balloon, host holds %d; %d ms%n", dev, now,
                        Sizes.format(now), d.host().view().held(), System.currentTimeMillis() - t0);
                return;
            }
            long t = System.currentTimeMillis();
            progress.sample(now, d.driver().oomDeflatedPages(), t);
            if (t - lastPrint >= 1_000) {
                System.out.printf("device %s: %s %d of %d pages%n", dev, now < pages ? "inflating" : "deflating", now,
                        pages);
                lastPrint = t;
            }
            if (d.vdev().broken() || progress.stalled(t)) {
                throw new IllegalStateException(String.format("device %s stopped at %d of %d pages: %s", dev, now,
                        pages, why(d, now, pages, progress)));
            }
            Thread.sleep(5);
        }
    }

    private static String why(VirtioBalloonDevice d, long now, long pages, TargetProgress progress) {
        if (d.vdev().broken()) {
            return "the device is broken: the host did not acknowledge a buffer in time (see mm:dmesg)";
        }
        long waiting = d.driver().waitingForAckMs();
        if (waiting > 0) {
            return "the host has not acknowledged the last request for " + waiting + " ms (virtio:host "
                    + d.deviceName()
                    + " shows its behaviour)";
        }
        long oomDeflated = progress.oomDeflatedSinceBest(d.driver().oomDeflatedPages());
        if (now < pages && oomDeflated > 0) {
            return String.format("the OOM notifier keeps deflating the balloon (DEFLATE_ON_OOM): the guest needs that"
                    + " memory, so the target cannot be reached (the balloon held %d pages at most; %d pages deflated"
                    + " on OOM since then)", progress.closest(), oomDeflated);
        }
        if (now < pages) {
            return "the guest has no free page to give (\"Out of puff!\" in mm:dmesg); the driver keeps trying";
        }
        VirtioBalloonState s = d.state();
        return s.isolatedPages() > 0 ? s.isolatedPages() + " pages are isolated by migration; the driver keeps trying"
                : "no closer to the target for " + STALL_MS / 1000 + " s; the driver keeps trying";
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
        MemoryManager m = mm;
        if (m == null) {
            throw new IllegalStateException("no guest is running: mm-core did not boot one (see mm:config and the log: log warn)");
        }
        return m;
    }

    /** The device, waiting a little for one that is configured but still being probed. */
    private VirtioBalloonDevice device(String dev) {
        Optional<VirtioBalloonDevice> d = registry.get(CommandArgs.given("DEV", dev));
        if (d.isPresent()) {
            return d.get();
        }
        if (configured(dev)) {
            long deadline = System.currentTimeMillis() + PROBE_WAIT_MS;
            while (System.currentTimeMillis() < deadline) {
                d = registry.get(dev);
                if (d.isPresent()) {
                    return d.get();
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            throw new IllegalArgumentException("device '" + dev + "' is configured but not running (its activation"
                    + " may have failed: see the log: log warn)");
        }
        List<String> names = registry.all().stream().map(VirtioBalloonDevice::deviceName).toList();
        throw new IllegalArgumentException("no virtio-balloon device '" + dev + "'; devices: "
                + (names.isEmpty() ? "none" : String.join(", ", names)));
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
