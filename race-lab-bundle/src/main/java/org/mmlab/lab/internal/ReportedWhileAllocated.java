package org.mmlab.lab.internal;

import java.util.List;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * Race 11 (seed 002: "processing hints to the hypervisor that the pages are no longer in use"; the rule is
 * mm/page_reporting.c's of v5.7):
 * a pass of free page reporting has filled its scatterlist and dropped zone-&gt;lock to report, when a
 * user allocates a pageblock and writes it. Mainline took the reported pages off the free lists
 * (__isolate_free_page()), so the user gets another block. A design that leaves them on the lists
 * (variant no-isolate) hands the user a block the report then gives to the host, and QEMU's
 * virtio_balloon_handle_report() discards it under the user's data: the data-loss oracle fires.
 */
final class ReportedWhileAllocated extends HintingAgainstUser {
    static final String NO_ISOLATE = "no-isolate";
    static final String V57 = "v5.7";


    ReportedWhileAllocated() {
        super(new RaceMetadata("reported-while-allocated", "002",
                "processing hints to the hypervisor that the pages are no longer in use",
                RaceMetadata.variants(
                        NO_ISOLATE, "free page reporting that reports pages it leaves on the free lists",
                        V57, "free page reporting as merged (v5.7): __isolate_free_page() for the report's duration"),
                new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, NO_ISOLATE),
                List.of(Pass.survives(new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, V57))),
                List.of("hinting", "user"),
                "a 256 MiB guest (one zone) whose virtio-balloon device 0 registered for reporting, autoRun off;"
                        + " the user allocates a pageblock (GFP_HIGHUSER_MOVABLE, order 9) and writes it",
                "hinting@reporting.report < user@start, user@lab.user_wrote < hinting@call.enter:prdev.report",
                "as a reported free page, but the guest uses it"), "reporting", Mm.PAGEBLOCK_ORDER, "pageblock");
    }
}
