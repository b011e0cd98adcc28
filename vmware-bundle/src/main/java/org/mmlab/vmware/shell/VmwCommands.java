package org.mmlab.vmware.shell;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.GuestRequired;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.Sizes;
import org.mmlab.vmware.VmwBalloonState;
import org.mmlab.vmware.VmwBalloons;
import org.mmlab.vmware.internal.DeviceConfig;
import org.mmlab.vmware.internal.DeviceRegistry;
import org.mmlab.vmware.internal.VmwDevice;
import org.mmlab.vmware.internal.VmwHypervisor;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The vmw: commands. A bad argument (an unknown device, a bad size, a bad behaviour) throws with what is
 * allowed and changes nothing; waits are bounded and print progress.
 */
@Component(service = VmwCommands.class)
@GogoCommand(scope = "vmw", function = {"devices", "status", "target", "host"})
public class VmwCommands {
    /** How long vmw:target waits without coming closer before it says why it stopped. */
    static final long STALL_MS = 5_000;
    /** How long a command waits for a configured device that is still being initialised. */
    static final long PROBE_WAIT_MS = 5_000;

    @Reference
    private DeviceRegistry registry;

    /** Dynamic, so that the commands stay (and take no part in the event) while mm:config reboots the guest. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MemoryManager mm;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configAdmin;

    @Descriptor("list the VMware balloons: the hypervisor's target, the balloon in frames and pages, frames the"
            + " hypervisor holds, capabilities")
    public void devices() {
        List<String> notRunning = new ArrayList<>();
        for (String name : configuredNames()) {
            if (awaitRunning(name).isEmpty()) { // still being initialised (the lab's first second), or failed
                notRunning.add(name);
            }
        }
        notRunning.forEach(name -> System.out.println("device " + name + ": configured but not running (its"
                + " activation may have failed: see the log: log warn)"));
        List<VmwBalloonState> all = registry.devices();
        if (all.isEmpty()) {
            System.out.println("no VMware balloon (make one with a factory configuration of " + VmwBalloons.FACTORY_PID
                    + ")");
            return;
        }
        System.out.printf("%-8s %10s %10s %9s %8s %10s %-5s %s%n", "DEVICE", "TARGET", "SIZE", "4K_PAGES", "2M_PAGES",
                "HOST_HELD", "MAX", "STATE");
        for (VmwBalloonState s : all) {
            System.out.printf("%-8s %10d %10d %9d %8d %10d %-5s %s%n", s.name(), s.hostTarget(), s.size(), s.pages4k(),
                    s.pages2m(), s.hostHeld(), s.maxPageSize(), (s.resetting() ? "resetting, " : "") + "hypervisor "
                            + s.behaviour() + ", " + String.join(",", s.capabilities()));
        }
    }

    @Descriptor("show the driver's statistics: debugfs vmmemctl, as the kernel prints it (the first read enables"
            + " them, as in the kernel)")
    public void status(@Descriptor("the device, e.g. 0") String dev) {
        VmwDevice d = device(dev);
        boolean first = !d.driver().statsEnabled();
        System.out.print(registry.vmmemctl(d.deviceName()));
        if (first) {
            System.out.println("(statistics start with this read of vmmemctl, as the kernel enables them on the first"
                    + " read)");
        }
    }

    @Descriptor("set the hypervisor's target and wait until the driver reached it (within its 2 MiB deflate slack);"
            + " prints progress, or why it stopped")
    public void target(@Descriptor("the device, e.g. 0") String dev,
            @Descriptor("4 KiB frames (262144) or a size (512M, 1G); at most the guest's memory") String size)
            throws InterruptedException {
        VmwDevice d = device(dev);
        long frames = DeviceConfig.frames(size);
        int nrPages = guest().nrPages();
        if (frames > nrPages) {
            throw new IllegalArgumentException(String.format("%s (%d frames) is more than the guest's memory (%d frames):"
                    + " a hypervisor may ask for it anyway with vmw:host %s target %s", size, frames, nrPages, dev, size));
        }
        long t0 = System.currentTimeMillis();
        TargetWait wait = new TargetWait(frames, d.driver().size(), STALL_MS, t0);
        registry.setHostTarget(d.deviceName(), frames);
        long lastPrint = t0;
        while (true) {
            long now = d.driver().size();
            if (d.driver().reached(frames)) {
                VmwBalloonState s = d.state();
                System.out.printf("device %s: %d frames (%s) in the balloon: %d 2M pages + %d 4k pages, hypervisor"
                        + " holds %d; %d ms%n", dev, now, Sizes.format(now), s.pages2m(), s.pages4k(), s.hostHeld(),
                        System.currentTimeMillis() - t0);
                return;
            }
            long t = System.currentTimeMillis();
            wait.sample(now, t);
            if (t - lastPrint >= 1_000) {
                System.out.printf("device %s: %s %d of %d frames%n", dev, now < frames ? "inflating" : "deflating", now,
                        frames);
                lastPrint = t;
            }
            if (wait.stalled(t)) {
                throw new IllegalStateException(String.format("device %s stopped at %d of %d frames: %s", dev, now,
                        frames, d.driver().whyNotAt(frames)));
            }
            Thread.sleep(5);
        }
    }

    @Descriptor("show the hypervisor's view: target, frames held, capabilities offered and in use, refusals,"
            + " behaviour, data loss")
    public void host(@Descriptor("the device, e.g. 0") String dev) {
        VmwDevice d = device(dev);
        VmwHypervisor.View v = d.hypervisor().view();
        System.out.printf("device %s, hypervisor %s%s%n", dev, v.behaviour(), v.started() ? "" : " (not started: the"
                + " guest must START)");
        System.out.printf("target        %d frames (%s)%n", v.target(), Sizes.format(v.target()));
        System.out.printf("held          %d frames%n", v.held());
        System.out.printf("capabilities  offered %#x, in use %#x%n", v.offered(), v.capabilities());
        System.out.printf("frames        %d locked, %d unlocked, %d refusals%n", v.locked(), v.unlocked(), v.refused());
        System.out.printf("answers       %d BUSY, %d resets of its own%n", v.busyAnswers(), v.resetsDemanded());
        System.out.printf("doorbell      %s, rung %d times%n", v.doorbellSet() ? "set" : "not set", v.doorbellsRung());
        System.out.printf("guest         type %d, limit %d frames%n", v.guestType(), v.guestLimit());
        System.out.printf("data loss     %d guest accesses to held frames%n", v.dataLoss());
        if (v.conflicts() > 0) {
            System.out.printf("conflicts     %d LOCKs of frames another host held%n", v.conflicts());
        }
    }

    @Descriptor("make the hypervisor misbehave or behave: normal | refuse PCT | busy | no-doorbell | reset (gives"
            + " every frame back, the guest resets) | target SIZE (any target, even beyond memory, without waiting)")
    public void host(@Descriptor("the device, e.g. 0") String dev,
            @Descriptor("normal | refuse | busy | no-doorbell | reset | target") String action,
            @Descriptor("per cent (refuse) or a size (target)") String... arg) {
        VmwDevice d = device(dev);
        String a = action.toLowerCase(Locale.ROOT);
        if ("target".equals(a)) {
            if (arg.length != 1) {
                throw new IllegalArgumentException("vmw:host " + dev + " target SIZE: give one size");
            }
            long frames = DeviceConfig.frames(arg[0]);
            registry.setHostTarget(d.deviceName(), frames);
            System.out.printf("device %s: the hypervisor asks for %d frames (%s); the guest has %d%n", dev, frames,
                    Sizes.format(frames), guest().nrPages());
            return;
        }
        if ("reset".equals(a)) {
            if (arg.length != 0) {
                throw new IllegalArgumentException("vmw:host " + dev + " reset takes no argument");
            }
            long held = d.hypervisor().view().held();
            registry.setHostBehaviour(d.deviceName(), "reset");
            System.out.printf("device %s: the hypervisor reset its balloon and gave %d frames back; it answers RESET"
                    + " until the guest starts again%n", dev, held);
            return;
        }
        try {
            registry.setHostBehaviour(d.deviceName(), arg.length == 0 ? a : a + " " + String.join(" ", arg));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("busy, no-doorbell or reset",
                    "busy, no-doorbell, reset or target SIZE"));
        }
        System.out.printf("device %s: hypervisor %s%n", dev, d.hypervisor().behaviour());
    }

    private MemoryManager guest() {
        return GuestRequired.held(mm);
    }

    /** The device, waiting a little for one that is configured but still being initialised. */
    private VmwDevice device(String name) {
        String dev = CommandArgs.given("DEV", name);
        Optional<VmwDevice> d = configuredNames().contains(dev) ? awaitRunning(dev) : registry.get(dev);
        if (d.isPresent()) {
            return d.get();
        }
        if (configuredNames().contains(dev)) {
            throw new IllegalArgumentException("VMware balloon '" + dev + "' is configured but not running (its"
                    + " activation may have failed: see the log: log warn)");
        }
        SortedSet<String> names = new TreeSet<>(configuredNames());
        registry.all().forEach(r -> names.add(r.deviceName()));
        throw new IllegalArgumentException("no VMware balloon '" + dev + "'; devices: "
                + (names.isEmpty() ? "none" : String.join(", ", names)));
    }

    /** The device once it runs, or empty after PROBE_WAIT_MS. */
    private Optional<VmwDevice> awaitRunning(String dev) {
        long deadline = System.currentTimeMillis() + PROBE_WAIT_MS;
        Optional<VmwDevice> d = registry.get(dev);
        while (d.isEmpty() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            d = registry.get(dev);
        }
        return d;
    }

    /** The device names the factory's configurations give (their name, or the configuration's name). */
    private List<String> configuredNames() {
        ConfigurationAdmin cm = configAdmin;
        if (cm == null) {
            return List.of();
        }
        try {
            Configuration[] cs = cm.listConfigurations("(service.factoryPid=" + VmwBalloons.FACTORY_PID + ")");
            if (cs == null) {
                return List.of();
            }
            List<String> names = new ArrayList<>();
            for (Configuration c : cs) {
                Object name = c.getProperties() == null ? null : c.getProperties().get("name");
                String pid = c.getPid();
                names.add(name == null || name.toString().isBlank() ? pid.substring(pid.lastIndexOf('~') + 1)
                        : name.toString());
            }
            return names;
        } catch (IOException | InvalidSyntaxException e) {
            return List.of();
        }
    }
}
