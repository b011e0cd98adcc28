package org.mmlab.aeration.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.mmlab.aeration.Aeration;
import org.mmlab.aeration.AerationStatus;
import org.mmlab.mm.CheckContributor;
import org.mmlab.mm.Errno;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.hinting.FreePageReporting;
import org.mmlab.mm.hinting.HintingDevice;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.lab.MmLab;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Free page hinting in the running guest: the design in force (configuration PID org.mmlab.aeration),
 * the one hinting device registered with it ({@link FreePageReporting}, which virtio-balloon calls from
 * probe and remove), the lab's view ({@link Aeration}) and its part of mm:check. A change of design
 * unregisters the device from the old design by that design's rules, stops it, starts the new one and
 * registers the device there. A reboot of the guest replaces this component (its PageAllocHinting goes).
 */
@Component(service = {FreePageReporting.class, Aeration.class, CheckContributor.class, AerationComponent.class},
        configurationPid = Aeration.PID, immediate = true)
@Designate(ocd = AerationComponent.Config.class)
public class AerationComponent implements FreePageReporting, Aeration, CheckContributor {
    @ObjectClassDefinition(name = "mmlab free page hinting", description = "Which hinting design the guest runs")
    public @interface Config {
        @AttributeDefinition(description = "The hinting design", options = {
            @Option(label = "off: no hinting", value = Off.NAME),
            @Option(label = "aerator: Duyck's 2019 aerator ([PATCH v1 5/6], mm/aeration.c)", value = Aerator.NAME),
            @Option(label = "reporting: free page reporting (mm/page_reporting.c, v5.7 on)", value = PageReporting.NAME)})
        String design() default Off.NAME;

        @AttributeDefinition(description = "page_reporting_order: 0..10, or -1 for the device's order, else pageblock_order")
        int pageReportingOrder() default -1;

        @AttributeDefinition(description = "The delayed work runs by itself; false: only aerate:kick runs it")
        boolean autoRun() default true;

        @AttributeDefinition(description = "The aerator as posted (v1), or the race lab's variants: no-wait"
                + " (aerator_shutdown() without its refcnt wait), no-del (aerator_del_from_boundary() omitted)")
        String aerator() default Aerator.V1;

        @AttributeDefinition(description = "Page reporting as merged (v5.7), or the race lab's variant no-isolate"
                + " (reports pages it leaves on the free lists)")
        String reporting() default PageReporting.V57;
    }

    private final PageAllocHinting core;
    private final MemoryManager mm;
    private final MmLab lab;
    /** Written under this; read without it by mm:check (which must take no lock a writer holds in mm code). */
    private volatile AerationConfig config;
    private volatile HintingDesign design = new Off();
    private volatile Kernel kernel;
    private volatile HintingDevice device;
    /** A configuration that was refused (the running one stays), with why. */
    private volatile String refused;

    @Activate
    public AerationComponent(Config c, @Reference PageAllocHinting core, @Reference MemoryManager mm,
            @Reference MmLab lab) {
        this.core = core;
        this.mm = mm;
        this.lab = lab;
        this.config = AerationConfig.parse(Off.NAME, -1, true, Aerator.V1, PageReporting.V57);
        modified(c);
    }

    /** A configuration change: refused whole, with what is allowed, or applied (a design change switches). */
    @Modified
    public void modified(Config c) {
        AerationConfig next;
        try {
            next = AerationConfig.parse(c.design(), c.pageReportingOrder(), c.autoRun(), c.aerator(), c.reporting());
        } catch (IllegalArgumentException e) {
            refused = e.getMessage();
            mm.printk("aeration: configuration refused: " + e.getMessage() + "; " + config.design() + " stays");
            return;
        }
        refused = null;
        apply(next);
    }

    private synchronized void apply(AerationConfig next) {
        AerationConfig old = config;
        config = next;
        if (!next.design().equals(design.name()) || !next.variant().equals(design.variant())) {
            switchDesign(next);
            return;
        }
        design.setAutoRun(next.autoRun());
        if (next.pageReportingOrder() != old.pageReportingOrder() && next.pageReportingOrder() >= 0) {
            design.setOrder(next.pageReportingOrder()); // the module parameter is 0644: it applies at once
        }
    }

    /** The old design lets the device go by its own rules and stops; the new one starts and takes it. */
    private void switchDesign(AerationConfig c) {
        HintingDevice d = device;
        if (d != null) {
            design.unregister(d);
        }
        design.stop();
        Kernel k = new Kernel(core, mm, lab, new HintingStats());
        HintingDesign next = switch (c.design()) {
            case Aerator.NAME -> new Aerator(k, c.aerator(), c.autoRun());
            case PageReporting.NAME -> new PageReporting(k, c.reporting(), c.pageReportingOrder(), c.autoRun());
            default -> new Off();
        };
        next.start();
        if (d != null) { // before the new design shows: aerate:design waits for it, and then shows the device
            int err = next.register(d);
            if (err != 0) {
                device = null;
                mm.printk("aeration: " + d.name() + " could not register with " + next.name() + ": " + err);
            }
        }
        kernel = k;
        design = next;
        mm.printk(String.format("aeration: design %s (%s)%s", next.name(), next.variant(),
                device == null ? ", no hinting device" : ", " + device.name() + " registered"));
    }

    /** The guest goes (reboot) or the bundle stops: the device is let go by the design's rules, the design stops. */
    @Deactivate
    synchronized void deactivate() {
        HintingDevice d = device;
        if (d != null) {
            design.unregister(d);
            device = null;
        }
        design.stop();
        design = new Off();
    }

    // ================================================================ FreePageReporting: the devices

    @Override
    public synchronized int register(HintingDevice d) {
        if (device != null) {
            return device == d ? 0 : -Errno.EBUSY;
        }
        int err = design.register(d);
        if (err == 0) {
            device = d;
        }
        return err;
    }

    @Override
    public synchronized void unregister(HintingDevice d) {
        if (device != d) {
            return;
        }
        design.unregister(d);
        device = null;
    }

    // ================================================================ Aeration: the lab's view

    @Override
    public AerationStatus status() {
        HintingDesign d = design;
        Kernel k = kernel;
        HintingDevice dev = device;
        List<String> zones = new ArrayList<>();
        d.zoneLines(zones::add);
        HintingStats s = k == null ? new HintingStats() : k.stats();
        return new AerationStatus(d.name(), d.variant(), dev == null ? null : dev.name(), d.state(), d.order(),
                d.pagesInFlight(), s.hints.sum(), s.pagesHinted.sum(), core.reportedFramesHeld(),
                core.reportedFramesReturned(), s.passes.sum(), zones);
    }

    @Override
    public AerationStatus kick(int maxPasses) {
        HintingDesign d = design;
        for (int i = 0; i < maxPasses && d.runPendingWork(); i++) {
            // the work runs again while it asked for more (budget, frees meanwhile)
        }
        return status();
    }

    /** The designs a configuration may name. */
    public static final java.util.List<String> DESIGNS = AerationConfig.DESIGNS;

    /** page_reporting_order as configured (-1: unset). */
    public int configuredOrder() {
        return config.pageReportingOrder();
    }

    /** A configuration refused since the last good one, with why, or null. */
    public String refusedConfiguration() {
        return refused;
    }

    /** The most passes a kick runs for the lab's tools (each rescheduled pass is one). */
    public static final int KICK_PASSES = 64;

    /** The guest's memory manager and allocator side, for the comparison. */
    MemoryManager mm() {
        return mm;
    }

    PageAllocHinting core() {
        return core;
    }

    /** How long the design held zone locks, and in how many sections (for the comparison). */
    HintingStats stats() {
        Kernel k = kernel;
        return k == null ? new HintingStats() : k.stats();
    }

    // ================================================================ mm:check

    @Override
    public String name() {
        return "aeration";
    }

    /** The design's invariants, and: every page off the free lists for hinting is in its batch or report. */
    @Override
    public void check(Consumer<String> summary, Consumer<String> problems) {
        HintingDesign d = design;
        d.check(summary, problems);
        long hinted = core.hintedPages();
        long held = d.pagesInFlight();
        if (hinted != held) {
            problems.accept(String.format("%d pages are off the free lists for hinting, but %s holds %d in its batch"
                    + " or report in flight", hinted, d.name(), held));
        }
    }
}
