package org.mmlab.virtio.internal;

import java.util.Map;
import java.util.function.Consumer;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonTarget;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.CheckContributor;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.hinting.FreePageReporting;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.virtio.VirtioBalloonState;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * One virtio-balloon device, its simulated host and its driver, for one factory configuration of
 * org.mmlab.virtio.balloon: activation is the virtio core finding the device and probing the driver
 * (virtio_dev_probe -> virtballoon_probe); deactivation (bundle stop, configuration deleted, mm-core or
 * the balloon infrastructure going) is virtballoon_remove, which gives every page back first. A bad
 * configuration fails this device's activation with what is allowed; other devices are untouched.
 */
@Component(service = {CheckContributor.class, BalloonTarget.class}, configurationPid = VirtioBalloons.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = VirtioBalloonDevice.Config.class, factory = true)
public class VirtioBalloonDevice implements CheckContributor, BalloonTarget {
    @ObjectClassDefinition(name = "mmlab virtio-balloon device",
            description = "One virtio-balloon device with its simulated host (QEMU's side)")
    public @interface Config {
        @AttributeDefinition(description = "Device name in virtio: commands; empty: the configuration's name")
        String name() default "";

        @AttributeDefinition(description = "virtio index for dmesg (virtioN); -1: the name if it is a number")
        int index() default -1;

        @AttributeDefinition(description = "Features the host offers: MUST_TELL_HOST, STATS_VQ, DEFLATE_ON_OOM,"
                + " FREE_PAGE_HINT, PAGE_POISON, REPORTING (device 0 offers all six)")
        String offeredFeatures() default Features.DEFAULT_OFFER;

        @AttributeDefinition(description = "The host's first target: pages, or a size such as 512M")
        String hostTarget() default "0";

        @AttributeDefinition(description = "The host acknowledges each buffer this many ms late (0..60000)")
        long hostAckDelayMs() default 0;

        @AttributeDefinition(description = "normal, or no-ack: the host never takes the guest's buffers")
        String hostMisbehaviour() default "normal";

        @AttributeDefinition(description = "How long the driver waits for an acknowledgement before it breaks"
                + " the device (the kernel waits for ever)")
        long ackTimeoutMs() default 5_000;

        @AttributeDefinition(description = "2012 contract: how probe makes the balloon mapping. v3.8: balloon_mapping_alloc()"
                + " allocates and initialises it before anyone can see it. v7, as the reviewed patch (seed 003): the"
                + " module's one balloon_mapping = kmalloc(), which every v7 device's fill_balloon stores from then on,"
                + " then initialised (injection point virtio.mapping_published between)",
                options = {@Option(label = "v3.8: initialised before it is published", value = "v3.8"),
                    @Option(label = "v7: the module's pointer, published first", value = "v7")})
        String mappingInit() default "v3.8";

        @AttributeDefinition(description = "With mappingInit=v7: what probe's error path and remove do after"
                + " kfree(balloon_mapping). clear: balloon_mapping = NULL. v7: nothing, as the reviewed patch"
                + " (\"No need to set it to NULL?\")",
                options = {@Option(label = "clear: set it to NULL", value = "clear"),
                    @Option(label = "v7: leave it pointing at the freed memory", value = "v7")})
        String mappingFree() default "clear";

        @AttributeDefinition(description = "Fault injection: init_vqs() fails with -ENOMEM after the mapping was"
                + " allocated, so probe takes its error path")
        boolean failInitVqs() default false;
    }

    private final DeviceConfig config;
    private final String pid;
    private final DeviceRegistry registry;
    final VirtioDevice vdev;
    final BalloonHost host;
    final VirtioBalloon vb;
    /** The errno of a probe that failed (the device then has no driver), or 0. */
    private volatile int probeError;
    /** Probed and not yet being removed: only then do commands use the device. */
    private volatile boolean live;
    /** Probed (and perhaps being removed): the exported view shows it until it is gone. */
    private volatile boolean probed;

    @Activate
    public VirtioBalloonDevice(Config c, Map<String, Object> props, @Reference MemoryManager mm,
            @Reference MmLab lab, @Reference Balloons balloons, @Reference PageAllocHinting hinting,
            @Reference DeviceRegistry registry) {
        this(DeviceConfig.parse(c.name(), String.valueOf(props.get(Constants.SERVICE_PID)), c.index(),
                c.offeredFeatures(), c.hostTarget(), c.hostAckDelayMs(), c.hostMisbehaviour(), c.ackTimeoutMs()),
                MappingLifecycle.parse(c.mappingInit(), c.mappingFree(), c.failInitVqs()),
                String.valueOf(props.get(Constants.SERVICE_PID)), mm, lab, balloons, hinting, registry);
    }

    /** A device with v3.8's mapping lifecycle. Public for tools that run outside the framework (the benchmarks). */
    public VirtioBalloonDevice(DeviceConfig config, String pid, MemoryManager mm, MmLab lab, Balloons balloons,
            PageAllocHinting hinting, DeviceRegistry registry) {
        this(config, MappingLifecycle.V38, pid, mm, lab, balloons, hinting, registry);
    }

    /**
     * The virtio core's part, then the driver's probe: the host starts with its target and behaviour,
     * the features are negotiated, virtballoon_probe() runs. A probe that fails (ProbeFailed: an errno)
     * leaves the device without a driver, and says so as the driver core does (really_probe()); any other
     * failure fails the activation. Either way no driver state stays behind.
     */
    public VirtioBalloonDevice(DeviceConfig config, MappingLifecycle lifecycle, String pid, MemoryManager mm,
            MmLab lab, Balloons balloons, PageAllocHinting hinting, DeviceRegistry registry) {
        this.pid = pid;
        this.config = config;
        this.registry = registry;
        registry.claim(config.name(), this);
        vdev = new VirtioDevice(config.name(), config.index(), config.offered(), lab);
        host = new BalloonHost(vdev, mm, hinting);
        vdev.attachHost(host);
        host.setMisbehaviour(config.misbehaviour());
        vdev.config.writeLe32(Uapi.CONFIG_NUM_PAGES, config.hostTarget());
        host.start();
        VirtioBalloon driver = null;
        ModuleGlobals globals = registry.globals(mm);
        try {
            vdev.finalizeFeatures(mm);
            driver = new VirtioBalloon(vdev, mm, lab, balloons, hinting, config.ackTimeoutMs(), lifecycle,
                    globals.balloonMapping);
            driver.vbPtr = registry.vbPtr();
            driver.reporting.warnedOnce = globals.warnedOnce;
            driver.virtballoonProbe();
            vdev.virtioConfigCoreEnable();
        } catch (VirtioBalloon.ProbeFailed f) {
            // really_probe(): the device stays, with no driver bound (and SCR, seeing no exception, does not
            // create the component again, which would probe again)
            probeError = f.err;
            mm.printk(String.format("virtio_balloon %s: probe with driver virtio_balloon failed with error %d",
                    vdev.devName, f.err));
            host.stop();
            registry.release(config.name(), this);
            registry.probeFailed(config.name(), f.err);
        } catch (RuntimeException e) {
            host.stop();
            registry.release(config.name(), this);
            throw e;
        }
        vb = driver;
        // Published only now, after vb: the registry hands this device to other threads (lab:, the races'
        // probed() promises) from its claim on, and they test probed or live before reading vb. Set before vb,
        // as they were, a reader that saw probed could read vb null (RaceCatalogueTest's NPE); written after
        // it, the volatile write orders vb's before any read that sees them true.
        if (probeError == 0) {
            probed = true;
            live = true;
            registry.probed(this);
        }
    }

    /**
     * The free page reporting provider (aeration-bundle) is there: a device that negotiated REPORTING
     * registers with it (page_reporting_register(); in the kernel this is in probe, see PageReportingDev).
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindFreePageReporting(FreePageReporting r) {
        if (vb != null) {
            vb.reporting.bind(r);
        }
    }

    /** The provider goes: the device leaves it first, by the design's rules. */
    public void unbindFreePageReporting(FreePageReporting r) {
        if (vb != null) {
            vb.reporting.unbind(r);
        }
    }

    /** virtio_dev_remove(): config changes off, virtballoon_remove(), then the host goes. */
    @Deactivate
    public void deactivate() {
        if (probeError != 0) {
            return; // no driver was bound: nothing to remove
        }
        live = false;
        vdev.virtioConfigCoreDisable(); // virtio_dev_remove(): no config change reaches the driver from now on
        try {
            vb.virtballoonRemove();
        } finally {
            // QEMU's thread is outside the lab's schedules: a controlled run's thread waits for it to end holding
            // the baton (race 8's admin gave the baton away here whenever the join took over 200 µs)
            vb.lab.awaitOutside(() -> {
                host.stop();
                return null;
            });
            registry.release(config.name(), this);
        }
    }

    /** Probed; true until the device is gone, also while virtballoon_remove() runs. */
    boolean probed() {
        return probed;
    }

    /** Probed and not being removed. */
    boolean live() {
        return live;
    }

    /** The device's name, e.g. "0". */
    public String deviceName() {
        return config.name();
    }

    @Override
    public String name() {
        return "virtio " + config.name();
    }

    @Override
    public void check(Consumer<String> summary, Consumer<String> problems) {
        if (probeError != 0) {
            summary.accept("no driver bound: probe failed with error " + probeError);
            return;
        }
        BalloonDeviceCheck.check(vb, host, summary, problems);
    }

    String pid() {
        return pid;
    }

    public BalloonHost host() {
        return host;
    }

    public VirtioBalloon driver() {
        return vb;
    }

    public VirtioDevice vdev() {
        return vdev;
    }

    public VirtioBalloonState state() {
        BalloonHost.View v = host.view();
        return new VirtioBalloonState(config.name(), vdev.devName, Features.names(vdev.offered),
                Features.names(vdev.features()), host.target(), host.actual(), vb.numPages(),
                vb.vbDevInfo == null ? 0 : vb.vbDevInfo.isolatedPages(), v.held(), v.ackedBuffers(), v.dataLoss(),
                v.misbehaviour(), vdev.broken(), vb.hinting.numFreePageBlocks());
    }

    @Override
    public BalloonDevInfo device() {
        return vb.vbDevInfo == null || vb.removed() ? null : vb.vbDevInfo;
    }

    @Override
    public long targetFrames() {
        return host.target();
    }

    @Override
    public long sizeFrames() {
        return vb.numPages();
    }
}
