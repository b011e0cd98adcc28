package org.mmlab.lab.internal;

import java.util.List;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * Race 1 (seed 003, Tsirkin on the v7 virtio balloon migration patch): compaction migrates a page of
 * the virtio balloon and is inside the driver's migratepage when the admin thread stops and
 * uninstalls virtio-bundle. The 2012 driver did the balloon bookkeeping itself, so once it has,
 * nothing is isolated; with the v7 patch's leak path, which takes pages off the list whoever holds
 * their lock, the driver's remove then drains the balloon (the new page included) and the module
 * goes while the callback has yet to return. v3.8's leak path skips a locked page, which closes the
 * window: the race fails with leakPath=v7 (PID org.mmlab.balloon), the design the reviewer read.
 */
final class UnloadDuringMigration extends VirtioUnloadRace {
    static final String V7_LEAK = "v7-leak";
    static final String V38_LEAK = "v3.8-leak";
    /** The window: the module is gone before the driver's callback returns. */
    static final String GONE_FIRST = "admin@module.gone < compaction@call.return:b_dev_info.migratepage";

    UnloadDuringMigration() {
        super(new RaceMetadata("unload-during-migration", "003",
                "module goes away between here and when the function returns",
                RaceMetadata.variants(
                        V7_LEAK, "2012: deflation as the reviewed v7 patch's leak path, which takes a page off the list"
                                + " whoever holds its lock (leakPath=v7)",
                        V38_LEAK, "2012: deflation as v3.8 merged it, which skips a page another task holds locked"),
                new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, V7_LEAK),
                // each fix keeps the module from going before the callback returns: module-ref and osgi-drain hold
                // the stop at GOING, the mainline design's and v3.8's remove wait for the page migration holds
                List.of(Pass.closes(new Setup(MigrationContract.BALLOON_2012, ModulePolicy.MODULE_REF, V7_LEAK),
                                GONE_FIRST),
                        Pass.closes(new Setup(MigrationContract.BALLOON_2012, ModulePolicy.OSGI_DRAIN, V7_LEAK),
                                GONE_FIRST),
                        Pass.closes(new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, V7_LEAK),
                                GONE_FIRST),
                        Pass.closes(new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, V38_LEAK),
                                GONE_FIRST)),
                List.of("compaction", "admin"),
                "the leak path is 2012's alone; the mainline design is --contract 2025 --policy none, under which"
                        + " the admin starts once compaction is inside the callback (the driver does no bookkeeping"
                        + " there)",
                // the admin starts once the driver's bookkeeping is done; the module must go before the callback
                // returns
                "compaction@balloon.migrated < admin@start, " + GONE_FIRST,
                "BUG: KASAN: use-after-unload in b_dev_info->migratepage"));
    }

    /**
     * Under 2025 the driver does no bookkeeping (the core does it after the callback returns), so there
     * is no balloon.migrated: the admin starts once compaction is inside the callback.
     */
    @Override
    public String script(Setup setup) {
        return setup.contract() == MigrationContract.MOVABLE_OPS_2025
                ? "compaction@call.enter:b_dev_info.migratepage < admin@start, " + GONE_FIRST : script();
    }

    @Override
    boolean v7LeakPath(Setup setup) {
        return setup.variant().equals(V7_LEAK);
    }
}
