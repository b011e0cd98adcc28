package org.mmlab.bench;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.mmlab.mm.Mm;
import org.mmlab.mm.internal.GuestMemory;
import org.mmlab.mm.internal.MemMap;
import org.mmlab.mm.internal.MmConfig;

/**
 * Heap bytes per simulated page and boot time of guests of several sizes (not JMH: one guest is
 * hundreds of MiB, so this is a plain program run with a fixed -Xmx).
 *
 * <p>Method. For each guest, {@code reps} times: System.gc() three times and read the heap's
 * used bytes (MemoryMXBean); boot {@code new GuestMemory(MmConfig.parse(size, "3G", model,
 * false, false))} and time the constructor (memmap, zones, memblock_free_all, watermarks); gc
 * three times again and read used bytes; the difference over the guest's page count is its heap
 * bytes per page. The guest is dropped before the next repetition. Reported: the median and
 * range over the repetitions, the first (cold, unJITted) and the median boot time, and the
 * static figures the code declares (MemMap.metadataBytesPerPage(), PageContent.heapBytesPerPage()).
 * With two or more sizes of one content model, the slope between the smallest and the largest
 * (extra bytes over extra pages) is the per-page cost without fixed parts: list heads, dmesg, and
 * under G1 the unused tail of each humongous array's last region (up to one region per array).
 *
 * <p>Usage: {@code java -Xmx2g -cp mm-benchmarks/target/benchmarks.jar org.mmlab.bench.GuestFootprint
 * [--reps N] [SIZE[:tag|frame] ...]}, default {@code --reps 5 4G:tag 64G:tag}.
 */
public final class GuestFootprint {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private record Result(String size, String model, long pages, long medianBytes, long minBytes, long maxBytes,
            double firstBootMs, double medianBootMs, int contentHeapBytesPerPage, long offHeapBytes) {
        double perPage() {
            return (double) medianBytes / pages;
        }
    }

    private GuestFootprint() {
    }

    public static void main(String[] args) {
        int reps = 5;
        List<String> specs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if ("--reps".equals(args[i])) {
                reps = Integer.parseInt(args[++i]);
            } else {
                specs.add(args[i]);
            }
        }
        if (specs.isEmpty()) {
            specs = List.of("4G:tag", "64G:tag");
        }
        System.out.printf(Locale.ROOT, "java %s (%s), max heap %d MiB, GC %s (G1HeapRegionSize %s), %d repetitions per"
                + " guest%n", System.getProperty("java.version"), System.getProperty("java.vm.name"),
                Runtime.getRuntime().maxMemory() >> 20, gcNames(), vmOption("G1HeapRegionSize"), reps);
        System.out.printf(Locale.ROOT, "static: MemMap.metadataBytesPerPage() = %d%n", MemMap.metadataBytesPerPage());

        List<Result> results = new ArrayList<>();
        for (String spec : specs) {
            String[] parts = spec.split(":", 2);
            results.add(measure(parts[0], parts.length > 1 ? parts[1] : "tag", reps));
        }

        System.out.println();
        System.out.println("| guest | model | pages | heap B/page (median) | range over reps | memmap B/page (measured - content) "
                + "| content heap B/page (static) | content off-heap | boot ms (first) | boot ms (median) |");
        System.out.println("|---|---|---:|---:|---|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %s | %,d | %.3f | %.3f .. %.3f | %.3f | %d | %d MiB | %.1f | %.1f |%n",
                    r.size, r.model, r.pages, r.perPage(), (double) r.minBytes / r.pages, (double) r.maxBytes / r.pages,
                    r.perPage() - r.contentHeapBytesPerPage, r.contentHeapBytesPerPage, r.offHeapBytes >> 20,
                    r.firstBootMs, r.medianBootMs);
        }
        for (String model : List.of("tag", "frame")) {
            Result small = null;
            Result large = null;
            for (Result r : results) {
                if (r.model.equals(model)) {
                    small = small == null || r.pages < small.pages ? r : small;
                    large = large == null || r.pages > large.pages ? r : large;
                }
            }
            if (small != null && large.pages > small.pages) {
                double slope = (double) (large.medianBytes - small.medianBytes) / (large.pages - small.pages);
                double fixed = small.medianBytes - slope * small.pages;
                double memmap = slope - small.contentHeapBytesPerPage;
                System.out.printf(Locale.ROOT, "%nslope %s..%s (%s): %.4f heap B per extra page, fixed part %.0f KiB;"
                        + " memmap %.4f B/page (static %d, pageblock flags add 1/%d = %.4f) -> %s%n", small.size,
                        large.size, model, slope, fixed / 1024, memmap, MemMap.metadataBytesPerPage(),
                        Mm.PAGEBLOCK_NR_PAGES, 1.0 / Mm.PAGEBLOCK_NR_PAGES,
                        memmap <= MemMap.metadataBytesPerPage() + 1.0 / Mm.PAGEBLOCK_NR_PAGES + 0.01
                                ? "confirms the static figure" : "OVER the static figure");
            }
        }
    }

    private static Result measure(String size, String model, int reps) {
        long[] bytes = new long[reps];
        double[] bootMs = new double[reps];
        long pages = 0;
        int contentPerPage = 0;
        long offHeap = 0;
        for (int i = 0; i < reps; i++) {
            long before = usedAfterGc();
            MmConfig config = MmConfig.parse(size, "3G", model, false, false);
            long t0 = System.nanoTime();
            GuestMemory guest = new GuestMemory(config);
            long t1 = System.nanoTime();
            long after = usedAfterGc();
            pages = guest.nrPages();
            contentPerPage = guest.content().heapBytesPerPage();
            offHeap = guest.content().offHeapBytes();
            if (guest.freePages() <= 0) {
                throw new IllegalStateException("guest " + size + " booted with no free pages");
            }
            Reference.reachabilityFence(guest);
            bytes[i] = after - before;
            bootMs[i] = (t1 - t0) / 1e6;
            System.out.printf(Locale.ROOT, "%s:%s rep %d: %,d pages, heap +%,d bytes = %.3f B/page, boot %.1f ms%n", size,
                    model, i + 1, pages, bytes[i], (double) bytes[i] / pages, bootMs[i]);
        }
        long[] sorted = bytes.clone();
        Arrays.sort(sorted);
        double[] sortedMs = bootMs.clone();
        Arrays.sort(sortedMs);
        return new Result(size, model, pages, sorted[reps / 2], sorted[0], sorted[reps - 1], bootMs[0],
                sortedMs[reps / 2], contentPerPage, offHeap);
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    private static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (RuntimeException e) {
            return "n/a";
        }
    }

    private static String gcNames() {
        List<String> names = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            names.add(gc.getName());
        }
        return String.join(", ", names);
    }
}
