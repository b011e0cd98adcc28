package org.mmlab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.admin.CompactStats;
import org.mmlab.mm.admin.FragmentResult;
import org.mmlab.mm.admin.Fragmentation;
import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.mm.internal.FragmentationShares;
import org.mmlab.mm.internal.GuestMemory;
import org.mmlab.mm.internal.MmCheck;
import org.mmlab.mm.internal.MmConfig;
import org.mmlab.mm.internal.Workload;

/**
 * Issue 3's acceptance figures (not JMH: one run is what a user of {@code mm:workload fragment}
 * then {@code mm:compact} sees): on a guest booted as mm-core boots it, fragment with a seed and a
 * target, then whole-memory compaction (compact_memory, MIGRATE_SYNC), and print:
 * the share of free pages in free blocks of order &gt;= 9 before and after; the best the layout
 * allows (free pages in pageblocks holding no unmovable or pinned page, {@link FragmentationShares})
 * before and after; after / best; pages migrated and failed; the wall time of compact_memory; and
 * the checks: every workload page's content as its process wrote it ({@link Workload#verifyContent}),
 * no data loss, mm:check's verdict, no checker report.
 *
 * <p>Usage: {@code java -Xmx3g [-XX:MaxDirectMemorySize=6g] -cp mm-benchmarks/target/benchmarks.jar
 * org.mmlab.bench.CompactionAcceptance [--seed S] [--target PERCENT] [--reps N] [SIZE:MODEL[:nodebug]]...}.
 * Default {@code --seed 1 --target 5 --reps 1 4G:tag}: mm-core's default guest (memorySize 4G,
 * dma32Size 3G, contentModel tag, CONFIG_DEBUG_VM and CONFIG_DEBUG_LIST on). {@code :nodebug}
 * turns both checkers off. Each repetition boots a fresh guest in the same JVM, so the first
 * compact_memory of a JVM runs mostly interpreted and later ones JIT-compiled: the time of both is
 * printed. Exits with status 1 if a check fails or after/best is below 0.8.
 */
public final class CompactionAcceptance {
    private CompactionAcceptance() {
    }

    public static void main(String[] args) {
        long seed = 1;
        double target = WorkloadControl.DEFAULT_TARGET_PERCENT;
        int reps = 1;
        List<String> specs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--target" -> target = Double.parseDouble(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                default -> specs.add(args[i]);
            }
        }
        if (specs.isEmpty()) {
            specs.add("4G:tag");
        }
        boolean allOk = true;
        System.out.printf(Locale.ROOT, "java %s, %d CPUs, max heap %d MiB%n", System.getProperty("java.vm.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        for (String spec : specs) {
            String[] p = spec.split(":");
            String size = p[0];
            String model = p.length > 1 ? p[1] : "tag";
            boolean debug = !(p.length > 2 && "nodebug".equals(p[2]));
            for (int rep = 1; rep <= reps; rep++) {
                allOk &= once(size, model, debug, seed, target, rep);
            }
        }
        System.out.println(allOk ? "ALL OK" : "FAILED");
        if (!allOk) {
            System.exit(1);
        }
    }

    private static boolean once(String size, String model, boolean debug, long seed, double target, int rep) {
        System.gc(); // the previous guest (and its frames) go first
        GuestMemory g = new GuestMemory(MmConfig.parse(size, "3G", model, debug, debug));
        Workload w = new Workload(g);
        System.out.printf(Locale.ROOT, "%n== %s guest, content %s, CONFIG_DEBUG_VM/DEBUG_LIST %s, seed %d, target %s%%,"
                + " repetition %d ==%n", size, model, debug ? "on" : "off", seed, target, rep);
        FragmentResult r = w.fragment(seed, target);
        System.out.print(r.describe());

        Fragmentation before = FragmentationShares.measure(g);
        long t0 = System.nanoTime();
        CompactStats s = g.compaction().compactMemory();
        long nanos = System.nanoTime() - t0;
        Fragmentation after = FragmentationShares.measure(g);

        List<String> problems = new ArrayList<>();
        long mismatches = w.verifyContent(problems::add);
        CheckResult check = MmCheck.run(g, w);
        long reports = g.debug().reports();
        long loss = w.dataLoss();

        System.out.printf(Locale.ROOT, "before: %s%n", before.describe());
        System.out.printf(Locale.ROOT, "compact_memory (sync): %s; migrate scanned %d, free scanned %d, isolated %d"
                + " (migrate) + %d (free), migrated %d, failed %d, in %.1f ms: %.0f ns per migrated page, %.2f M"
                + " pages/s%n", s.zoneResults(), s.migrateScanned(), s.freeScanned(), s.isolatedMigrate(), s.isolatedFree(),
                s.migrated(), s.failed(), nanos / 1e6, (double) nanos / Math.max(1, s.migrated()),
                s.migrated() * 1e3 / nanos);
        System.out.printf(Locale.ROOT, "after:  %s%n", after.describe());
        double ofBest = after.ofBest();
        double ofBestBefore = before.freeInCleanPageblocks() == 0 ? 0
                : (double) after.freeInOrder9Blocks() / before.freeInCleanPageblocks();
        System.out.printf(Locale.ROOT, "ACCEPTANCE %s %s debug=%s seed=%d: order>=9 share before %.2f%% after %.2f%%;"
                + " best before %.2f%% after %.2f%%; after/best %.3f (vs best before %.3f); migrated %d failed %d;"
                + " %.1f ms%n", size, model, debug ? "on" : "off", seed, 100 * before.order9Share(),
                100 * after.order9Share(), 100 * before.bestShare(), 100 * after.bestShare(), ofBest, ofBestBefore,
                s.migrated(), s.failed(), nanos / 1e6);
        boolean ok = r.reached() && mismatches == 0 && loss == 0 && check.ok() && reports == 0 && ofBest >= 0.8;
        System.out.printf(Locale.ROOT, "checks: fragment target %s, content mismatches %d, data loss %d, %s, checker"
                + " reports %d, after/best >= 0.8: %s -> %s%n", r.reached() ? "reached" : "NOT reached", mismatches,
                loss, check.verdict(), reports, ofBest >= 0.8 ? "yes" : "NO", ok ? "OK" : "FAIL");
        if (!check.ok() || mismatches != 0) {
            System.out.println(check.text());
            problems.forEach(System.out::println);
        }
        w.stop();
        return ok;
    }
}
