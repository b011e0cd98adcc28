package org.mmlab.xen.internal;

import java.util.Map;
import java.util.function.Consumer;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonTarget;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.CheckContributor;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.mm.lab.ModuleCaller;
import org.mmlab.xen.XenBalloonState;
import org.mmlab.xen.XenBalloons;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One XEN balloon, its xenstore and its hypervisor, for one factory configuration of org.mmlab.xen.balloon:
 * activation is balloon_init() and xen_balloon_init(); deactivation (bundle stop, configuration deleted,
 * mm-core or the balloon infrastructure going) stops the balloon thread and gives no ballooned page back
 * (the kernel's driver is built in and never goes). The kernel has one static balloon; the lab may run
 * several. A bad configuration fails this device's activation with what is allowed.
 */
@Component(service = {CheckContributor.class, BalloonTarget.class}, configurationPid = XenBalloons.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = XenDevice.Config.class, factory = true)
public class XenDevice implements CheckContributor, BalloonTarget {
    @ObjectClassDefinition(name = "mmlab XEN balloon",
            description = "One XEN balloon (drivers/xen/balloon.c) with its simulated hypervisor and xenstore")
    public @interface Config {
        @AttributeDefinition(description = "Device name in xen: commands; empty: the configuration's name")
        String name() default "";

        @AttributeDefinition(description = "The balloon size the toolstack's first memory/target asks for: 4 KiB"
                + " pages, or a size such as 512M")
        String balloonTarget() default "0";
    }

    private final DeviceConfig config;
    private final DeviceRegistry registry;
    private final XenBalloon balloon;
    private volatile boolean live;

    @Activate
    public XenDevice(Config c, Map<String, Object> props, @Reference MemoryManager mm, @Reference Balloons balloons,
            @Reference MovablePages movablePages, @Reference DeviceRegistry registry, @Reference MmLab lab) {
        this(DeviceConfig.parse(c.name(), String.valueOf(props.get(Constants.SERVICE_PID)), c.balloonTarget()), mm,
                balloons, movablePages, registry, lab);
    }

    /** A device and its driver, initialised. Public for tools that run outside the framework. */
    public XenDevice(DeviceConfig config, MemoryManager mm, Balloons balloons, MovablePages movablePages,
            DeviceRegistry registry, ModuleCaller calls) {
        if (config.balloonTarget() > mm.totalramPages()) {
            throw new IllegalArgumentException(String.format("balloonTarget=%d pages: at most the guest's %d pages",
                    config.balloonTarget(), mm.totalramPages()));
        }
        this.config = config;
        this.registry = registry;
        registry.claim(config.name(), this);
        try {
            balloon = new XenBalloon(config.name(), mm, balloons, movablePages, calls);
            balloon.balloonInit(config.balloonTarget());
        } catch (RuntimeException e) {
            registry.release(config.name(), this);
            throw e;
        }
        live = true;
    }

    @Deactivate
    public void deactivate() throws InterruptedException {
        live = false;
        try {
            balloon.stop();
        } finally {
            registry.release(config.name(), this);
        }
    }

    boolean live() {
        return live;
    }

    public String deviceName() {
        return config.name();
    }

    @Override
    public String name() {
        return "xen " + config.name();
    }

    @Override
    public void check(Consumer<String> summary, Consumer<String> problems) {
        XenDeviceCheck.check(balloon, summary, problems);
    }

    public XenBalloon driver() {
        return balloon;
    }

    public XenBalloonState state() {
        XenBalloon.Stats s = balloon.stats();
        XenHypervisor.View v = balloon.hypervisor().view();
        String kib = balloon.xenstoreTarget();
        return new XenBalloonState(config.name(), kib == null ? -1 : Long.parseLong(kib), s.targetPages(),
                s.currentPages(), s.totalPages(), s.balloonLow(), s.lent(), s.targetUnpopulated(), s.state().name(),
                s.scheduleDelay(), v.held(), v.dataLoss());
    }

    @Override
    public BalloonDevInfo device() {
        return balloon.bDevInfo;
    }

    @Override
    public long targetFrames() {
        return balloon.stats().targetSize();
    }

    @Override
    public long sizeFrames() {
        return balloon.stats().size();
    }
}
