package org.mmlab.lab.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;

import org.mmlab.mm.ModulePolicy;
import org.mmlab.mm.MovablePages;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * Race 1 (seed 003, Tsirkin on virtballoon_migratepage): compaction migrates a page of the virtio
 * balloon and is inside the driver's migratepage when the admin thread stops and uninstalls
 * virtio-bundle. Under 2012 the driver did the balloon bookkeeping itself, so once it has, its
 * remove finds nothing isolated and the module goes while the callback has yet to return.
 */
final class UnloadDuringMigration implements Race {
    static final String VIRTIO = "virtio-bundle";
    /** Pages the balloon holds for the run. */
    static final int PAGES = 64;

    private byte[] virtioJar;

    @Override
    public String name() {
        return "unload-during-migration";
    }

    @Override
    public String seed() {
        return "003";
    }

    @Override
    public String quote() {
        return "module goes away between here and when the function returns";
    }

    @Override
    public MigrationContract contract() {
        return MigrationContract.BALLOON_2012;
    }

    @Override
    public ModulePolicy failsUnder() {
        return ModulePolicy.NONE;
    }

    @Override
    public List<ModulePolicy> passesUnder() {
        return List.of(ModulePolicy.MODULE_REF, ModulePolicy.OSGI_DRAIN, ModulePolicy.DRAIN);
    }

    @Override
    public String script() {
        return "compaction@balloon.migrated < admin@start, admin@module.gone < compaction@call.return";
    }

    @Override
    public String report() {
        return "BUG: KASAN: use-after-unload in b_dev_info->migratepage";
    }

    @Override
    public Map<String, Runnable> prepare(LabContext lab, MigrationContract contract) throws Exception {
        lab.ensureStarted(VIRTIO, virtioJar);
        lab.run("mm:config migrationContract " + contract.value());
        lab.run("mm:kcompactd stop");
        lab.awaitOutput("virtio:devices", "virtio-balloon 0");
        lab.run("virtio:target 0 " + PAGES);
        MemoryManager mm = lab.mm();
        int pfn = firstBalloonPage(lab, contract);
        virtioJar = BundleBytes.of(lab.bundle(VIRTIO));
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

    /** The lowest PFN the virtio balloon holds, found the contract's way. */
    private static int firstBalloonPage(LabContext lab, MigrationContract contract) throws Exception {
        ServiceReference<MovablePages> ref = lab.context.getServiceReference(MovablePages.class);
        MovablePages mp = lab.context.getService(ref);
        try {
            MemoryManager mm = lab.mm();
            for (int pfn = 0; pfn < mm.nrPages(); pfn++) {
                boolean balloon = switch (contract) {
                    case BALLOON_2012 -> mp.balloonPageDevice(pfn) != null;
                    case NON_LRU_2016 -> mp.pageMovableHint(pfn) && mp.pageMapping(pfn) != null;
                    default -> mp.pageHasMovableOps(pfn) && mp.pagePrivate(pfn) != 0;
                };
                if (balloon) {
                    return pfn;
                }
            }
        } finally {
            lab.context.ungetService(ref);
        }
        throw new IllegalStateException("the virtio balloon holds no page after virtio:target 0 " + PAGES);
    }

    @Override
    public void cleanup(LabContext lab) throws Exception {
        lab.ensureStarted(VIRTIO, virtioJar);
        lab.run("virtio:target 0 0");
        lab.run("mm:config migrationContract " + MigrationContract.MOVABLE_OPS_2025.value());
        lab.run("mm:kcompactd start");
    }
}
