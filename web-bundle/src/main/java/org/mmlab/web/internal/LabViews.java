package org.mmlab.web.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonDevices;
import org.mmlab.balloon.BalloonTarget;
import org.mmlab.lab.CheckerReports;
import org.mmlab.lab.LabRuns;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MemoryMap;
import org.mmlab.mm.admin.GuestViews;
import org.mmlab.mm.lab.MmLab;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The lab's state as the page and the JSON API show it, read from the services the lab's bundles
 * export. A service that is not there (its bundle stopped, a guest rebooting) makes its views
 * unavailable, said in words, not a failure of the page.
 */
@Component(service = LabViews.class)
public class LabViews {

    private static final String MM_DOWN = "the memory manager is not running";

    /** A view that cannot be read now, with why. */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String why) {
            super(why, null, false, false);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile MemoryManager mm;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile MmLab lab;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile MemoryMap memoryMap;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile GuestViews guestViews;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile BalloonDevices balloons;

    /** Each device's target, from whichever driver made the device (whiteboard). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<BalloonTarget> targets;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile LabRuns runs;

    private BundleContext context;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
    }

    /**
     * One balloon device, of whichever driver: mm/balloon.c's counts, and its size against its host's
     * target where its driver publishes them ({@link BalloonTarget}; null otherwise).
     *
     * @param name          balloon_dev_info's name, e.g. "virtio-balloon virtio0"
     * @param driver        the driver bundle's symbolic name
     * @param pages         pages on its list now
     * @param isolatedPages pages migration holds now
     * @param sizeFrames    the 4 KiB frames its driver has inflated
     * @param targetFrames  the 4 KiB frames its host wants
     * @param orphaned      its driver stopped without removing it
     */
    record Device(String name, String driver, long pages, long isolatedPages, Long sizeFrames, Long targetFrames,
            boolean orphaned) {}

    /** The checkers' reports (first lines) and the kernel log the ring holds. */
    record Reports(List<String> reports, List<String> dmesg) {}

    /** The views by the name the API serves them under, /mmlab/api/NAME. */
    Map<String, Supplier<Object>> views() {
        Map<String, Supplier<Object>> views = new LinkedHashMap<>();
        views.put("meminfo", () -> guest().meminfo());
        views.put("vmstat", () -> mm().vmstat());
        views.put("buddyinfo", () -> guest().buddyinfo());
        views.put("freelists", () -> guest().freeLists());
        views.put("pageblocks", () -> map().pageblocks());
        views.put("devices", this::devices);
        views.put("reports", () -> {
            List<String> dmesg = dmesg(0).lines();
            return new Reports(CheckerReports.in(dmesg), dmesg);
        });
        views.put("runs", () -> labRuns().runs());
        return available(views);
    }

    /** The views the page shows live, by the name of the event that carries each ({@link EventsServlet}). */
    Map<String, Supplier<Object>> live() {
        Map<String, Supplier<Object>> live = new LinkedHashMap<>();
        live.put("pageblocks", () -> map().pageblocks());
        live.put("freelists", () -> guest().freeLists());
        live.put("devices", this::devices);
        live.put("runs", () -> labRuns().runs());
        return available(live);
    }

    /** The views, each unavailable while no guest runs (the admin services say so with IllegalStateException). */
    private static Map<String, Supplier<Object>> available(Map<String, Supplier<Object>> views) {
        Map<String, Supplier<Object>> out = new LinkedHashMap<>();
        views.forEach((name, view) -> out.put(name, () -> {
            try {
                return view.get();
            } catch (IllegalStateException e) {
                throw new Unavailable(e.getMessage());
            }
        }));
        return out;
    }

    /** One pageblock's pages, by its number: /mmlab/api/pageblocks/N. */
    Object pageblock(String index) {
        int n;
        try {
            n = Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pageblock '" + index + "': give its number, PFN / 512");
        }
        return map().pageblock(n);
    }

    /** dmesg since a mark (0: what the ring still holds), and the mark to ask from next. */
    record Dmesg(long next, List<String> lines) {}

    /** The lines printk() wrote since {@code since}, read between two equal marks so none is lost or repeated. */
    Dmesg dmesg(long since) {
        MmLab l = present(lab, MM_DOWN);
        while (true) {
            long before = l.dmesgSeq();
            List<String> lines = l.dmesgSince(since);
            if (l.dmesgSeq() == before) {
                return new Dmesg(before, lines);
            }
        }
    }

    /** Every balloon device mm/balloon.c knows, with its size and target where its driver says them. */
    List<Device> devices() {
        BalloonDevices all = present(balloons, "the balloon infrastructure (balloon-api-bundle) is not running");
        List<BalloonTarget> published = targets;
        List<Device> out = new ArrayList<>();
        for (BalloonDevInfo b : all.devices()) {
            BalloonTarget t = published.stream().filter(p -> p.device() == b).findFirst().orElse(null);
            Bundle driver = context.getBundle(b.bundleId());
            out.add(new Device(b.name(), driver == null ? "bundle " + b.bundleId() : driver.getSymbolicName(),
                    b.nrPages(), b.isolatedPages(), t == null ? null : t.sizeFrames(),
                    t == null ? null : t.targetFrames(), b.orphaned()));
        }
        return out;
    }

    private MemoryMap map() {
        return present(memoryMap, MM_DOWN);
    }

    private MemoryManager mm() {
        return present(mm, MM_DOWN);
    }

    private GuestViews guest() {
        return present(guestViews, MM_DOWN);
    }

    private LabRuns labRuns() {
        return present(runs, "the race lab (race-lab-bundle) is not running");
    }

    /** The service read once from its volatile field, or why its views are unavailable. */
    private static <T> T present(T service, String why) {
        if (service == null) {
            throw new Unavailable(why);
        }
        return service;
    }
}
