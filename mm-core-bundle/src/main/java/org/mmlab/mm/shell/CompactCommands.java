package org.mmlab.mm.shell;

import java.util.Locale;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.CompactStats;
import org.mmlab.mm.admin.Compactor;
import org.mmlab.mm.admin.GuestViews;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * mm:compact and mm:kcompactd: mm/compaction.c's user interface (vm.compact_memory,
 * vm.compaction_proactiveness, the kcompactd thread), over the Compactor service, which follows the
 * running guest. A bad argument throws with what is allowed and changes nothing.
 */
@Component(service = CompactCommands.class)
@GogoCommand(scope = "mm", function = {"compact", "kcompactd"})
public class CompactCommands {
    private final Compactor compactor;
    private final GuestViews views;

    @Activate
    public CompactCommands(@Reference Compactor compactor, @Reference GuestViews views) {
        this.compactor = compactor;
        this.views = views;
    }

    /** async | sync-light | sync, as enum migrate_mode. */
    static MigrateMode mode(String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "async":
                return MigrateMode.ASYNC;
            case "sync-light":
            case "sync_light":
                return MigrateMode.SYNC_LIGHT;
            case "sync":
                return MigrateMode.SYNC;
            default:
                throw new IllegalArgumentException("'" + text + "' is not a migrate mode: use async, sync-light or sync");
        }
    }

    static String modeName(MigrateMode m) {
        return m.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Descriptor("compact memory: the whole memory as vm.compact_memory does (no order), or each zone until a free block"
            + " of ORDER exists; prints pages scanned, isolated, migrated and failed, and /proc/buddyinfo before and"
            + " after")
    public void compact(
            @Descriptor("compact for a free block of this order (1.." + Mm.MAX_PAGE_ORDER + "); default: the whole memory")
            @Parameter(names = {"-o", "--order"}, absentValue = "") String order,
            @Descriptor("migrate mode: async, sync-light or sync; default sync for the whole memory (compact_memory),"
                    + " sync-light for an order (kcompactd's)")
            @Parameter(names = {"-m", "--mode"}, absentValue = "") String mode) {
        int o = -1;
        if (!CommandArgs.given("--order", order).isEmpty()) {
            o = Args.order(order);
            if (o == 0) {
                throw new IllegalArgumentException("order 0 needs no compaction: give 1 to " + Mm.MAX_PAGE_ORDER
                        + ", or no --order for the whole memory");
            }
        }
        MigrateMode m = CommandArgs.given("--mode", mode).isEmpty() ? o < 0 ? MigrateMode.SYNC : MigrateMode.SYNC_LIGHT
                : mode(mode);

        System.out.println(o < 0 ? "compact_memory: every zone, whole, mode " + modeName(m)
                : "compaction for order " + o + " in every zone, mode " + modeName(m));
        System.out.println("before:");
        System.out.print(views.show(GuestViews.View.BUDDYINFO));
        System.out.println(views.fragmentation().describe());

        long start = System.nanoTime();
        CompactStats s = o < 0 ? compactor.compactMemory(m) : compactor.compactOrder(o, m);
        long ms = (System.nanoTime() - start) / 1_000_000;

        System.out.println("after:");
        System.out.print(views.show(GuestViews.View.BUDDYINFO));
        System.out.println(views.fragmentation().describe());
        System.out.printf("scanned:  %d pages (migrate scanner %d, free scanner %d)%n",
                s.migrateScanned() + s.freeScanned(), s.migrateScanned(), s.freeScanned());
        System.out.printf("isolated: %d pages (%d for migration, %d free targets)%n", s.isolated(), s.isolatedMigrate(),
                s.isolatedFree());
        System.out.printf("migrated: %d pages%nfailed:   %d pages (put back)%n", s.migrated(), s.failed());
        System.out.printf("result:   %s in %d ms%n", String.join(", ", s.zoneResults()), ms);
        if (Thread.currentThread().isInterrupted()) {
            System.out.println("(interrupted: compaction stopped early)");
        }
    }

    @Descriptor("kcompactd0: show its state (status), start or stop the thread")
    public void kcompactd(@Descriptor("status | start | stop | proactiveness") String action) {
        switch (CommandArgs.given("ACTION", action)) {
            case "status":
                break;
            case "start":
                compactor.startKcompactd();
                break;
            case "stop":
                compactor.stopKcompactd();
                break;
            case "proactiveness":
                System.out.println("compaction_proactiveness " + compactor.kcompactd().proactiveness());
                return;
            default:
                throw new IllegalArgumentException("'" + action + "' is not a kcompactd action: use status, start, stop"
                        + " or proactiveness N");
        }
        compactor.kcompactd().status().forEach(System.out::println);
    }

    @Descriptor("set vm.compaction_proactiveness (0..100; 0 turns proactive compaction off, a non-zero value wakes"
            + " kcompactd)")
    public void kcompactd(@Descriptor("proactiveness") String action,
            @Descriptor("0..100 (default 20): how hard kcompactd keeps the fragmentation score down") String value) {
        if (!"proactiveness".equals(action)) {
            throw new IllegalArgumentException("'" + action + "' takes no value: use mm:kcompactd proactiveness N,"
                    + " or mm:kcompactd status|start|stop");
        }
        compactor.setProactiveness(CommandArgs.intNumber("proactiveness", value, 0, 100));
        compactor.kcompactd().status().forEach(System.out::println);
    }
}
