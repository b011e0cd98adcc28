package org.mmlab.lab.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.MovablePages2012;
import org.mmlab.mm.MovablePages2016;
import org.mmlab.mm.MovablePages2025;
import org.osgi.framework.Bundle;

/**
 * What races 1 and 13 share: virtio device 0 holds PAGES balloon pages; the compaction thread migrates the
 * lowest of them, and the admin thread stops and uninstalls virtio-bundle, whose remove drains the balloon
 * and frees what the device had. The lab installs the bundle again for the next run.
 */
abstract class VirtioUnloadRace extends CataloguedRace {
    static final String VIRTIO = "virtio-bundle";
    /** Pages the balloon holds for the run. */
    static final int PAGES = 64;

    private byte[] virtioJar;
    /** Device 0, asking for PAGES at each probe during a batch. */
    private final Device0 device0 = new Device0();
    /** leakPath=v7 while the setup asks for it. */
    private final LeakPathSetting leakPath = new LeakPathSetting();

    VirtioUnloadRace(RaceMetadata metadata) {
        super(metadata);
    }

    /** Whether the setup deflates with the reviewed v7 patch's leak path (leakPath=v7) rather than v3.8's. */
    boolean v7LeakPath(Setup setup) {
        return false;
    }

    /**
     * Once a batch (and after a run that reported something): the other drivers set aside, the guest, the leak
     * path, kcompactd, and device 0 asking for PAGES at each probe.
     */
    @Override
    public void prepareBatch(LabContext lab, Setup setup) throws Exception {
        MigrationContract contract = setup.contract();
        Bundle virtio = lab.installed(VIRTIO);
        if (virtio != null) { // the batch's start (after a run that reported, it is uninstalled)
            virtioJar = BundleBytes.of(virtio); // to install it again after each run's uninstall
        }
        if (!leakPath.isSet() && contract == MigrationContract.BALLOON_2012 && v7LeakPath(setup)) {
            leakPath.set(lab, LeakPathSetting.V7);
        }
        lab.setOtherDriversAside();
        // virtio-bundle is installed again (a new module) while the guest reboots, and starts in prepare(), once,
        // in the new guest
        lab.bootWith(contract, () -> lab.ensureInstalled(VIRTIO, virtioJar));
        leakPath.await(lab);
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
        restoreAfterBatch(lab, virtioJar, device0, leakPath);
    }

    /**
     * After a batch on virtio's device 0 (races 1, 8 and 13): virtio-bundle running, device 0 and the leak path
     * as the batch found them, the lab's default guest with kcompactd.
     */
    static void restoreAfterBatch(LabContext lab, byte[] virtioJar, Device0 device0, LeakPathSetting leakPath)
            throws Exception {
        lab.ensureStarted(VIRTIO, virtioJar);
        device0.restore(lab);
        leakPath.putBack(lab);
        lab.bootWith(MigrationContract.MOVABLE_OPS_2025);
        lab.kcompactd(true);
    }
}
