package org.mmlab.lab.internal;

import java.util.List;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.lab.DebugSwitches;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * Race 12 (seed 002, [PATCH v1 5/6]'s clear_page_aerated(): "push boundary back if we removed the upper
 * boundary"): the aerator's first batch is back at the tail of the MAX_PAGE_ORDER movable list, its
 * boundary on the first aerated block; the second batch took the rest of the raw blocks, and while it
 * is with the host a user allocates a 4 MiB block: the list's head, the boundary. Without
 * aerator_del_from_boundary() (variant no-del) the boundary stays on the allocated block, and the
 * second drain inserts behind it: DEBUG_LIST finds the list corrupt. The patch (v1) moves the boundary
 * to the next block first.
 */
final class BoundaryOnAllocatedPage extends HintingAgainstUser {
    static final String NO_DEL = "no-del";
    static final String V1 = "v1";


    BoundaryOnAllocatedPage() {
        super(new RaceMetadata("boundary-on-allocated-page", "002",
                "push boundary back if we removed the upper boundary",
                RaceMetadata.variants(
                        NO_DEL, "the aerator without aerator_del_from_boundary(): the boundary stays on a block that"
                                + " leaves its list",
                        V1, "the aerator as posted: the boundary moves to the next block first"),
                new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, NO_DEL),
                List.of(Pass.survives(new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, V1))),
                List.of("hinting", "user"),
                "a 256 MiB guest (one zone, 64 blocks of 4 MiB: two batches of 32) whose virtio-balloon device 0"
                        + " registered with the aerator, autoRun off, DEBUG_LIST on; the user allocates a 4 MiB"
                        + " block (GFP_HIGHUSER_MOVABLE, order 10) while the second batch is with the host",
                "hinting@aerator.react#2 < user@start, user@lab.user_wrote < hinting@call.enter:a_dev_info.react#2",
                "list_add corruption"), "aerator", Mm.MAX_PAGE_ORDER, "4 MiB");
    }

    /** DEBUG_LIST finds the boundary on a block that left its list. */
    @Override
    void configure(LabContext lab) throws Exception {
        lab.debug(DebugSwitches.Switch.LIST, true);
    }
}
