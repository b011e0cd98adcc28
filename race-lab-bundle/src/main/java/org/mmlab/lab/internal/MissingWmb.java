package org.mmlab.lab.internal;

import java.util.List;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.DebugSwitches.Switch;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * Race 2 (seed 003, Tsirkin on the v7 leak_balloon()): "if = NULL write above is reordered with list_del
 * below, then isolate_page can run on a page that is not on lru. So I think this needs a wmb()". The
 * balloon takes its page off the list as v7 did, page->mapping = NULL then list_del() under pages_lock
 * alone; on a weakly ordered CPU (mm:debug weakmem) the NULL sits in the store buffer while the
 * list_del() is already in memory. Compaction, re-testing under the page lock the v7 leak path never
 * takes, still sees the balloon mapping, isolates, and its list_del() finds the page already off the
 * list: DEBUG_LIST's LIST_POISON report.
 */
final class MissingWmb extends BalloonCoreRace {
    static final String V7 = "v7";
    static final String V7_WMB = "v7-wmb";
    static final String V7_TSO = "v7-tso";
    static final String V38 = "v3.8";
    /** The window: compaction, isolating the page, takes pages_lock while the leak path still holds it. */
    static final String LOCKED = "compaction@balloon.lock < balloon@balloon.unlock";

    private final LeakPathSetting leakPath = new LeakPathSetting();

    MissingWmb() {
        super(new RaceMetadata("missing-wmb", "003", "So I think this needs a wmb()",
                RaceMetadata.variants(
                        V7, "v7's leak path (page->mapping = NULL, list_del(), no barrier) on a weakly ordered CPU",
                        V7_WMB, "the same with the smp_wmb() the reviewer asked for between the two stores",
                        V7_TSO, "v7's leak path on a CPU that keeps stores in order (x86's TSO: weak-memory mode off)",
                        V38, "v3.8's leak path (seed 000 rule i: the page lock around both stores) on a weakly ordered"
                                + " CPU"),
                new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, V7),
                // each fix lets compaction see the page off the list, so it never isolates it, nor takes pages_lock
                List.of(Pass.closes(new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, V7_WMB), LOCKED),
                        Pass.closes(new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, V7_TSO), LOCKED),
                        Pass.closes(new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, V38), LOCKED)),
                THREADS,
                "2012 only (the leak path is 2012's); the balloon is the lab's own one-page lab-balloon",
                "compaction@start < balloon@start, balloon@balloon.list_del < compaction@isolate.get_page, " + LOCKED,
                "list_del corruption"));
    }

    @Override
    void applyVariant(LabContext lab, Setup setup) throws Exception {
        String path = switch (setup.variant()) {
            case V7_WMB -> "v7-wmb";
            case V38 -> LeakPathSetting.V38;
            default -> "v7";
        };
        leakPath.set(lab, path);
        leakPath.await(lab);
        lab.debug(Switch.LIST, true);
        lab.debug(Switch.WEAKMEM, !setup.variant().equals(V7_TSO));
    }

    @Override
    void revertVariant(LabContext lab) throws Exception {
        leakPath.putBack(lab);
    }
}
