package org.mmlab.web.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MemoryMap;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.virtio.VirtioBalloons;
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
    private volatile VirtioBalloons virtio;

    /** The views by the name the API serves them under, /mmlab/api/NAME. */
    Map<String, Supplier<Object>> views() {
        Map<String, Supplier<Object>> views = new LinkedHashMap<>();
        views.put("pageblocks", () -> map().pageblocks());
        views.put("vmstat", () -> mm().vmstat());
        views.put("devices", () -> virtio().devices());
        views.put("reports", () -> reports(0).lines());
        return views;
    }

    /** The views the page shows live, by the name of the event that carries each ({@link EventsServlet}). */
    Map<String, Supplier<Object>> live() {
        Map<String, Supplier<Object>> live = new LinkedHashMap<>();
        live.put("pageblocks", () -> map().pageblocks());
        live.put("devices", () -> virtio().devices());
        return live;
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
    record Reports(long next, List<String> lines) {}

    /** The lines printk() wrote since {@code since}, read between two equal marks so none is lost or repeated. */
    Reports reports(long since) {
        MmLab l = present(lab, MM_DOWN);
        while (true) {
            long before = l.dmesgSeq();
            List<String> lines = l.dmesgSince(since);
            if (l.dmesgSeq() == before) {
                return new Reports(before, lines);
            }
        }
    }

    private MemoryMap map() {
        return present(memoryMap, MM_DOWN);
    }

    private MemoryManager mm() {
        return present(mm, MM_DOWN);
    }

    private VirtioBalloons virtio() {
        return present(virtio, "the virtio-balloon driver (virtio-bundle) is not running");
    }

    /** The service read once from its volatile field, or why its views are unavailable. */
    private static <T> T present(T service, String why) {
        if (service == null) {
            throw new Unavailable(why);
        }
        return service;
    }
}
