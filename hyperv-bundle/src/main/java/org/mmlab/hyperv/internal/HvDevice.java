package org.mmlab.hyperv.internal;

import java.util.Map;
import java.util.function.Consumer;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonTarget;
import org.mmlab.balloon.Balloons;
import org.mmlab.hyperv.HvBalloonState;
import org.mmlab.hyperv.HvBalloons;
import org.mmlab.mm.CheckContributor;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.mm.lab.ModuleCaller;
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
 * One Hyper-V balloon, its VMBus channel and its simulated host, for one factory configuration of
 * org.mmlab.hyperv.balloon: activation is hv_balloon's balloon_probe() on a VMBus dynamic-memory device;
 * deactivation (bundle stop, configuration deleted, mm-core or the balloon infrastructure going) is
 * balloon_remove(), which gives no ballooned page back, as in the kernel. The kernel has one static
 * dm_device; the lab may run several. A bad configuration fails this device's activation with what is allowed.
 */
@Component(service = {CheckContributor.class, BalloonTarget.class}, configurationPid = HvBalloons.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = HvDevice.Config.class, factory = true)
public class HvDevice implements CheckContributor, BalloonTarget {
    @ObjectClassDefinition(name = "mmlab Hyper-V balloon",
            description = "One Hyper-V dynamic-memory balloon (drivers/hv/hv_balloon.c) with its simulated host")
    public @interface Config {
        @AttributeDefinition(description = "Device name in hv: commands; empty: the configuration's name")
        String name() default "";

        @AttributeDefinition(description = "The balloon size the host wants first: 4 KiB pages, or a size such as 512M")
        String hostTarget() default "0";

        @AttributeDefinition(description = "The hot-add space: memory set aside at probe that the host may hot-add"
                + " (hv:hotadd), 0 for none; pages, or a size such as 256M")
        String hotAddSpace() default "0";
    }

    private final DeviceConfig config;
    private final DeviceRegistry registry;
    private final HvHost host;
    private final HvBalloon balloon;
    private volatile boolean live;

    @Activate
    public HvDevice(Config c, Map<String, Object> props, @Reference MemoryManager mm, @Reference Balloons balloons,
            @Reference MovablePages movablePages, @Reference DeviceRegistry registry, @Reference MmLab lab)
            throws InterruptedException {
        this(DeviceConfig.parse(c.name(), String.valueOf(props.get(Constants.SERVICE_PID)), c.hostTarget(),
                c.hotAddSpace()), mm, balloons, movablePages, registry, lab);
    }

    /** A device and its driver, probed. Public for tools that run outside the framework. */
    public HvDevice(DeviceConfig config, MemoryManager mm, Balloons balloons, MovablePages movablePages,
            DeviceRegistry registry, ModuleCaller calls) throws InterruptedException {
        if (config.hotAddSpace() > mm.nrPages() / DeviceConfig.MAX_SPACE_SHARE) {
            throw new IllegalArgumentException(String.format("hotAddSpace=%d pages: at most a quarter of the guest"
                    + " (%d pages)", config.hotAddSpace(), mm.nrPages() / DeviceConfig.MAX_SPACE_SHARE));
        }
        this.config = config;
        this.registry = registry;
        registry.claim(config.name(), this);
        try {
            VmbusChannel channel = new VmbusChannel(config.name(), calls);
            host = new HvHost(config.name(), mm, channel, 0);
            balloon = new HvBalloon(config.name(), mm, balloons, movablePages, channel, host, config.hotAddSpace());
            balloon.balloonProbe();
        } catch (RuntimeException | InterruptedException e) {
            registry.release(config.name(), this);
            throw e;
        }
        live = true;
        host.setTarget(config.hostTarget());
    }

    /** balloon_remove(). */
    @Deactivate
    public void deactivate() throws InterruptedException {
        live = false;
        try {
            balloon.balloonRemove();
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
        return "hv " + config.name();
    }

    @Override
    public void check(Consumer<String> summary, Consumer<String> problems) {
        HvDeviceCheck.check(balloon, summary, problems);
    }

    public HvHost host() {
        return host;
    }

    public HvBalloon driver() {
        return balloon;
    }

    public HvBalloonState state() {
        HvHost.View v = host.view();
        HotAddSpace s = balloon.space;
        return new HvBalloonState(config.name(), balloon.version(), v.target(), balloon.ballooned(), v.held(),
                balloon.computeBalloonFloor(), s.size(), s.added(), s.onlined(), s.fakeOffline(), v.requests(),
                v.lastStatus(), v.why(), v.dataLoss());
    }

    @Override
    public BalloonDevInfo device() {
        return balloon.bDevInfo;
    }

    @Override
    public long targetFrames() {
        return host.view().target();
    }

    @Override
    public long sizeFrames() {
        return balloon.ballooned();
    }
}
