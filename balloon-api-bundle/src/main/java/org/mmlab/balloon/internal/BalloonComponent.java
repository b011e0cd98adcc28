package org.mmlab.balloon.internal;

import java.util.List;

import org.mmlab.balloon.BalloonSettings;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.MovablePages2025;
import org.mmlab.mm.PageType;
import org.mmlab.mm.lab.MmLab;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The balloon infrastructure of the running guest: balloon_init() (core_initcall: set_movable_ops(
 * &amp;balloon_mops, PGTY_offline) under the 2025 contract) when the guest boots, and the reverse when
 * this bundle stops or the guest reboots. Built in, in the kernel: here stopping this bundle with
 * devices left is reported in dmesg, since their pages stay inflated.
 */
@Component(service = {BalloonComponent.class, BalloonSettings.class}, immediate = true,
        configurationPid = BalloonSettings.PID, property = BalloonSettings.LEAK_PATH + "=v3.8")
@Designate(ocd = BalloonComponent.Config.class)
public class BalloonComponent implements BalloonSettings {

    @ObjectClassDefinition(name = "mmlab balloon infrastructure", description = "mm/balloon.c's knobs")
    public @interface Config {
        @AttributeDefinition(description = "2012 contract only: how balloon_page_dequeue treats a page another task"
                + " has locked: 'v3.8' skips it (seed 000); 'v7' clears page->mapping and takes it off the list under"
                + " pages_lock alone, as the reviewed v7 virtio patch's leak path did (seed 003; the race lab's races 1"
                + " and 2); 'v7-wmb' is v7 with the smp_wmb() the reviewer asked for",
                options = {@Option(label = "v3.8: skip a locked page", value = "v3.8"),
                    @Option(label = "v7: take it anyway, no page lock", value = "v7"),
                    @Option(label = "v7 with smp_wmb()", value = "v7-wmb")})
        String leakPath() default "v3.8";
    }

    final BalloonCore core;
    /** The OSGi log, for the lab's own warnings; none without a log service. */
    private final Logger log;

    @Activate
    public BalloonComponent(@Reference MemoryManager mm, @Reference MmLab lab, @Reference MovablePages own, Config config,
            @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL) Logger log) {
        this.log = log;
        core = new BalloonCore(mm, lab, own);
        modified(config);
        if (own instanceof MovablePages2025 v2025) {
            int rc = v2025.setMovableOps(core.migration.mops, PageType.OFFLINE);
            if (rc != 0) {
                String msg = "balloon: set_movable_ops(&balloon_mops, PGTY_offline) failed: " + rc
                        + " (another bundle registered movable_ops for offline pages)";
                mm.printk(msg);
                throw new IllegalStateException(msg);
            }
        }
    }

    /**
     * A new leakPath applies at once, without restarting the infrastructure (and every driver with it);
     * then Declarative Services gives the BalloonSettings service the new value as its property.
     */
    @Modified
    void modified(Config config) {
        core.leakPath = LeakPath.parse(config.leakPath());
    }

    @Override
    public String leakPath() {
        return core.leakPath.value;
    }

    @Deactivate
    void deactivate() {
        List<BalloonDevice> left = core.deviceList();
        for (BalloonDevice b : left) {
            String warning = String.format("balloon: %s of %s left with %d pages and %d isolated when the balloon"
                    + " infrastructure stopped", b.name(), b.bundle, b.nrPages, b.isolatedPages);
            core.mm.printk(warning);
            if (log != null) {
                log.warn(warning);
            }
        }
        if (core.own instanceof MovablePages2025 v2025) {
            v2025.setMovableOps(null, PageType.OFFLINE);
        }
    }
}
