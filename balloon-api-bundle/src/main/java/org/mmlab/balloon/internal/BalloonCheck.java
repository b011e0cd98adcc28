package org.mmlab.balloon.internal;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;

import org.mmlab.mm.CheckContributor;
import org.mmlab.mm.NodeStat;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * What mm:check verifies of the balloons, with the machine stopped: every device's list is intact and
 * holds only its own allocated pages, no page is on two lists, each device's isolated pages are the
 * pages marked its own that are off its list, nr_balloon_pages counts them all, and no device whose
 * driver stopped without removing it (orphaned) holds a page: no driver will ever give those back, so
 * they are lost to the guest.
 */
@Component
public class BalloonCheck implements CheckContributor {
    private final BalloonCore core;

    @Activate
    public BalloonCheck(@Reference BalloonComponent balloon) {
        this.core = balloon.core;
    }

    /** For unit tests. */
    BalloonCheck(BalloonCore core) {
        this.core = core;
    }

    @Override
    public String name() {
        return "balloon";
    }

    @Override
    public void check(Consumer<String> summary, Consumer<String> problems) {
        List<BalloonDevice> devices = core.deviceList();
        int n = core.mm.nrPages();
        BitSet listed = new BitSet(n);
        long pages = 0;
        long isolated = 0;
        for (BalloonDevice b : devices) {
            pages += walkList(b, listed, problems);
            isolated += b.isolatedPages;
            checkNotOrphaned(b, problems);
        }
        Map<BalloonDevice, Long> offList = countOffList(devices, listed);
        for (BalloonDevice b : devices) {
            long seen = offList.getOrDefault(b, 0L);
            if (seen != b.isolatedPages) {
                problems.accept(String.format("%s: isolated_pages %d, but %d of its pages are off its list",
                        b.name(), b.isolatedPages, seen));
            }
        }
        long nrBalloon = core.mm.nodePageState(NodeStat.NR_BALLOON_PAGES);
        if (nrBalloon != pages + isolated) {
            problems.accept(String.format("nr_balloon_pages %d, but the devices hold %d pages (%d listed + %d isolated)",
                    nrBalloon, pages + isolated, pages, isolated));
        }
        summary.accept(String.format("%d devices, %d pages listed + %d isolated, nr_balloon_pages %d",
                devices.size(), pages, isolated, nrBalloon));
    }

    /** An orphaned device's pages are lost: nothing deflates them any more. */
    private static void checkNotOrphaned(BalloonDevice b, Consumer<String> problems) {
        if (b.orphaned && b.nrPages + b.isolatedPages > 0) {
            problems.accept(String.format("%s holds %d pages (%d listed + %d isolated) that no driver will give back:"
                    + " its driver %s [%d] stopped without removing it (orphaned)", b.name(),
                    b.nrPages + b.isolatedPages, b.nrPages, b.isolatedPages, b.bundle, b.bundleId()));
        }
    }

    /** Walks b's list: each entry a PFN of an allocated page that is b's, on no other list. */
    private long walkList(BalloonDevice b, BitSet listed, Consumer<String> problems) {
        long count = 0;
        int id = core.mm.listNext(b.pagesHead);
        while (id != b.pagesHead) {
            if (id < 0 || id >= core.mm.nrPages()) {
                problems.accept(String.format("%s: list link to %#x, not a page (corrupt or poisoned)", b.name(), id));
                return count;
            }
            if (listed.get(id)) {
                problems.accept(String.format("%s: pfn %#x is on the list twice, or on another device's list",
                        b.name(), id));
                return count;
            }
            listed.set(id);
            count++;
            String wrong = notMine(b, id);
            if (wrong != null) {
                problems.accept(String.format("%s: pfn %#x on its list %s", b.name(), id, wrong));
            }
            id = core.mm.listNext(id);
        }
        if (count != b.nrPages) {
            problems.accept(String.format("%s: %d pages on its list, but it counts %d", b.name(), count, b.nrPages));
        }
        return count;
    }

    /** Why a listed page is not a balloon page of b, or null. */
    private String notMine(BalloonDevice b, int pfn) {
        if (core.mm.pageCount(pfn) <= 0) {
            return "is free";
        }
        return core.era.notMarkedAs(b, pfn);
    }

    /** The pages each device marks as its own, the era's way, that are on no list. */
    private Map<BalloonDevice, Long> countOffList(List<BalloonDevice> devices, BitSet listed) {
        IntFunction<BalloonDevice> markedDevice = core.era.markedDevice(devices);
        Map<BalloonDevice, Long> counts = new HashMap<>();
        int n = core.mm.nrPages();
        for (int pfn = 0; pfn < n; pfn++) {
            if (listed.get(pfn)) {
                continue;
            }
            BalloonDevice b = markedDevice.apply(pfn);
            if (b != null) {
                counts.merge(b, 1L, Long::sum);
            }
        }
        return counts;
    }
}
