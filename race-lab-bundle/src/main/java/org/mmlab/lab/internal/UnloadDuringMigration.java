package org.mmlab.lab.internal;

import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mmlab.balloon.BalloonSettings;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.MovablePages2012;
import org.mmlab.mm.MovablePages2016;
import org.mmlab.mm.MovablePages2025;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;

/**
 * Race 1 (seed 003, Tsirkin on the v7 virtio balloon migration patch): compaction migrates a page of
 * the virtio balloon and is inside the driver's migratepage when the admin thread stops and
 * uninstalls virtio-bundle. The 2012 driver did the balloon bookkeeping itself, so once it has,
 * nothing is isolated; with the v7 patch's leak path, which takes pages off the list whoever holds
 * their lock, the driver's remove then drains the balloon (the new page included) and the module
 * goes while the callback has yet to return. v3.8's leak path skips a locked page, which closes the
 * window: the race fails with leakPath=v7 (PID org.mmlab.balloon), the design the reviewer read.
 */
final class UnloadDuringMigration extends CataloguedRace {
    static final String VIRTIO = "virtio-bundle";
    static final String V7_LEAK = "v7-leak";
    static final String V38_LEAK = "v3.8-leak";
    /** The window: the module is gone before the driver's callback returns. */
    static final String GONE_FIRST = "admin@module.gone < compaction@call.return:b_dev_info.migratepage";
    /** Pages the balloon holds for the run. */
    static final int PAGES = 64;

    private byte[] virtioJar;
    /** Device 0, asking for PAGES at each probe during a batch. */
    private final Device0 device0 = new Device0();
    /** The balloon infrastructure's configuration, while the race sets leakPath=v7. */
    private Configuration leakPath;

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

    /**
     * Once a batch (and after a run that reported something): the guest, the leak path, kcompactd, and
     * device 0 asking for PAGES at each probe.
     */
    @Override
    public void prepareBatch(LabContext lab, Setup setup) throws Exception {
        MigrationContract contract = setup.contract();
        Bundle virtio = lab.installed(VIRTIO);
        if (virtio != null) { // the batch's start (after a run that reported, it is uninstalled)
            virtioJar = BundleBytes.of(virtio); // to install it again after each run's uninstall
        }
        if (leakPath == null && contract == MigrationContract.BALLOON_2012 && setup.variant().equals(V7_LEAK)) {
            leakPath = lab.cm().getConfiguration(BalloonSettings.PID, "?");
            leakPath.update(new Hashtable<>(Map.of(BalloonSettings.LEAK_PATH, "v7")));
        }
        // virtio-bundle is installed again (a new module) while the guest reboots, and starts in prepare(), once,
        // in the new guest
        lab.bootWith(contract, () -> lab.ensureInstalled(VIRTIO, virtioJar));
        if (leakPath != null) {
            lab.awaitLeakPath("v7");
        }
        lab.kcompactd(false);
        device0.askFor(lab, PAGES);
    }

    /** Each run: virtio-bundle installed again (the last run uninstalled it), device 0 inflated. */
    @Override
    public Map<String, Runnable> prepare(LabContext lab, Setup setup) throws Exception {
        lab.ensureStarted(VIRTIO, virtioJar);
        Device0.awaitPages(lab, PAGES);
        MemoryManager mm = lab.mm();
        int pfn = firstBalloonPage(lab);
        Map<String, Runnable> threads = new LinkedHashMap<>();
        threads.put("compaction", () -> mm.migrateRange(pfn, pfn + 1, MigrateMode.SYNC));
        threads.put("admin", () -> {
            try {
                Bundle b = lab.bundle(VIRTIO);
                b.stop();
                b.uninstall();
            } catch (Exception e) {
                throw new IllegalStateException("stopping " + VIRTIO + ": " + e, e);
            }
        });
        return threads;
    }

    /** Between runs: nothing; the next prepare() installs virtio-bundle again, and its device 0 inflates. */
    @Override
    public void reset(LabContext lab) {
    }

    /** The lowest PFN the virtio balloon holds, found the contract's way. */
    static int firstBalloonPage(LabContext lab) throws Exception {
        MovablePages mp = lab.movablePages();
        int nrPages = lab.mm().nrPages();
        for (int pfn = 0; pfn < nrPages; pfn++) {
            if (isBalloonPage(mp, pfn)) {
                return pfn;
            }
        }
        throw new IllegalStateException("the virtio balloon holds no page after it inflated to " + PAGES);
    }

    /**
     * A page of a balloon, as the guest's contract marks it (2012: its mapping; 2016: movable with a mapping;
     * 2025: page->private).
     */
    static boolean isBalloonPage(MovablePages mp, int pfn) {
        if (mp instanceof MovablePages2012 p) {
            return p.balloonPageDevice(pfn) != null;
        }
        if (mp instanceof MovablePages2016 p) {
            return p.pageMovableHint(pfn) && p.pageMapping(pfn) != null;
        }
        return ((MovablePages2025) mp).pageHasMovableOps(pfn) && mp.pagePrivate(pfn) != 0;
    }

    @Override
    public void cleanup(LabContext lab) throws Exception {
        lab.ensureStarted(VIRTIO, virtioJar);
        device0.restore(lab);
        if (leakPath != null) {
            leakPath.delete(); // back to v3.8
            leakPath = null;
        }
        lab.bootWith(MigrationContract.MOVABLE_OPS_2025);
        lab.kcompactd(true);
    }
}
