package org.mmlab.vmware.internal;

import java.util.Map;
import java.util.function.Consumer;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonTarget;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.CheckContributor;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.vmware.VmwBalloonState;
import org.mmlab.vmware.VmwBalloons;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * One VMware balloon, its simulated hypervisor and its driver, for one factory configuration of
 * org.mmlab.vmware.balloon: activation is the driver's vmballoon_init() on a VMware guest (the kernel
 * checks x86_hyper_type; here the device's existence is that check); deactivation (bundle stop,
 * configuration deleted, mm-core or the balloon infrastructure going) is vmballoon_exit(), which gives
 * every page back first. The kernel has one static balloon; the lab may run several, each its own
 * struct vmballoon. A bad configuration fails this device's activation with what is allowed.
 */
@Component(service = {CheckContributor.class, BalloonTarget.class}, configurationPid = VmwBalloons.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = VmwDevice.Config.class, factory = true)
public class VmwDevice implements CheckContributor, BalloonTarget {
    @ObjectClassDefinition(name = "mmlab VMware balloon",
            description = "One VMware balloon (drivers/misc/vmw_balloon.c) with its simulated hypervisor")
    public @interface Config {
        @AttributeDefinition(description = "Device name in vmw: commands; empty: the configuration's name")
        String name() default "";

        @AttributeDefinition(description = "The hypervisor's first target: 4 KiB frames, or a size such as 512M")
        String hostTarget() default "0";

        @AttributeDefinition(description = "Capabilities the hypervisor offers at START: BASIC_CMDS, BATCHED_CMDS,"
                + " BATCHED_2M_CMDS, SIGNALLED_WAKEUP_CMD, 64_BIT_TARGET (comma-separated)")
        String hostCapabilities() default DeviceConfig.ALL_CAPABILITIES;

        @AttributeDefinition(description = "How the hypervisor answers: normal, refuse PCT, busy or no-doorbell")
        String hostBehaviour() default "normal";

        @AttributeDefinition(description = "vmwballoon_shrinker_enable: deflate under memory pressure, then no"
                + " inflation for VMBALLOON_SHRINK_DELAY (5 s); off by default, as in the kernel")
        boolean shrinker() default false;

        @AttributeDefinition(description = "Which kernel's vmballoon_migratepage() handles a new page the hypervisor"
                + " refuses: enoent (the 2026 series: the infrastructure deflates the old page), success (4ba5a8a7faa6,"
                + " v6.18-rc3: deflated by the driver, 0), ebusy (v5.1 to v6.18-rc2: deflated by the driver, -EBUSY)",
                options = {@Option(label = "enoent: the 2026 series", value = "enoent"),
                    @Option(label = "success: 4ba5a8a7faa6", value = "success"),
                    @Option(label = "ebusy: v5.1 to v6.18-rc2", value = "ebusy")})
        String migratepage() default "enoent";
    }

    private final DeviceConfig config;
    private final DeviceRegistry registry;
    final VmwHypervisor hypervisor;
    final VmwBalloon balloon;
    /** Initialised and not being removed: only then do commands use the device. */
    private volatile boolean live;
    /** Initialised (and perhaps being removed): the exported view shows it until it is gone. */
    private volatile boolean initialised;

    @Activate
    public VmwDevice(Config c, Map<String, Object> props, @Reference MemoryManager mm, @Reference MmLab lab,
            @Reference Balloons balloons, @Reference MovablePages movablePages, @Reference DeviceRegistry registry) {
        this(DeviceConfig.parse(c.name(), String.valueOf(props.get(Constants.SERVICE_PID)), c.hostTarget(),
                c.hostCapabilities(), c.hostBehaviour(), c.shrinker(), c.migratepage()), mm, lab, balloons,
                movablePages, registry);
    }

    /** A device and its driver, initialised. Public for tools that run outside the framework (the benchmarks). */
    public VmwDevice(DeviceConfig config, MemoryManager mm, MmLab lab, Balloons balloons, MovablePages movablePages,
            DeviceRegistry registry) {
        this.config = config;
        this.registry = registry;
        registry.claim(config.name(), this);
        VmciDoorbell vmci = new VmciDoorbell(lab);
        BatchPages batchPages = new BatchPages();
        hypervisor = new VmwHypervisor(config.name(), mm, vmci, batchPages, config.offered(), config.hostTarget(),
                config.behaviour());
        balloon = new VmwBalloon(config.name(), mm, lab, balloons, movablePages, new Backdoor(hypervisor), batchPages,
                vmci, config.shrinker(), config.migrateVersion());
        try {
            balloon.vmballoonInit();
        } catch (RuntimeException e) {
            registry.release(config.name(), this);
            throw e;
        }
        initialised = true;
        live = true;
    }

    /** vmballoon_exit(), then the hypervisor lets go of anything left. */
    @Deactivate
    public void deactivate() {
        live = false;
        try {
            balloon.vmballoonExit();
        } finally {
            hypervisor.stop();
            registry.release(config.name(), this);
        }
    }

    boolean live() {
        return live;
    }

    boolean initialised() {
        return initialised;
    }

    /** The device's name, e.g. "0". */
    public String deviceName() {
        return config.name();
    }

    @Override
    public String name() {
        return "vmw " + config.name();
    }

    @Override
    public void check(Consumer<String> summary, Consumer<String> problems) {
        VmwDeviceCheck.check(balloon, hypervisor, summary, problems);
    }

    public VmwHypervisor hypervisor() {
        return hypervisor;
    }

    public VmwBalloon driver() {
        return balloon;
    }

    public VmwBalloonState state() {
        VmwHypervisor.View v = hypervisor.view();
        long pages4k = balloon.bDevInfo.nrPages() + balloon.bDevInfo.isolatedPages();
        return new VmwBalloonState(config.name(), Protocol.capabilityNames(balloon.capabilities),
                balloon.maxPageSize.text, v.target(), balloon.target, balloon.size.get(), pages4k,
                balloon.pages.nrHugePages(), balloon.bDevInfo.isolatedPages(), v.held(), balloon.resetRequired,
                v.behaviour(), v.dataLoss(), balloon.batchPagesAllocated.get(), balloon.migrateVersion.value);
    }

    @Override
    public BalloonDevInfo device() {
        return balloon.bDevInfo;
    }

    @Override
    public long targetFrames() {
        return hypervisor.target();
    }

    @Override
    public long sizeFrames() {
        return balloon.size.get();
    }
}
