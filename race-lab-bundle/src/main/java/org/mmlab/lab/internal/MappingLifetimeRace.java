package org.mmlab.lab.internal;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.framework.Bundle;

/**
 * What races 4 and 5 (seed 003: the balloon mapping's lifetime in the reviewed v7 virtio patch) share:
 * the 2012 guest, virtio device 0 running the variant's mapping lifecycle with a few pages, a second
 * device "1" whose probe Configuration Admin's thread runs (scheduled through {@code OnBehalf}), and a
 * compaction thread that has device 0 inflate a few pages more (fill_balloon stores the module's
 * balloon_mapping into each) and migrates one of them, which makes migration read page->mapping.
 */
abstract class MappingLifetimeRace extends CataloguedRace {
    static final String VIRTIO = VirtioUnloadRace.VIRTIO;
    /** Pages device 0 holds before the run, and those it inflates during it. */
    static final int PAGES = 16;
    static final int MORE = 8;

    /** The lab's state the run changed, for cleanup. */
    private DeviceConfigs configs;
    private boolean rebooted;

    MappingLifetimeRace(RaceMetadata metadata) {
        super(metadata);
    }

    /** The setup such a race fails under: 2012, no module policy, the reviewed v7 patch's variant. */
    static Setup failsUnder(String variant) {
        return new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, variant);
    }

    /** Device 0's and device 1's configuration properties under the variant. */
    abstract Map<String, Object> lifecycle(String variant);

    /** KASAN's quarantine for the run (what mm:debug kasan-quarantine sets). */
    int quarantine(String variant) {
        return 0;
    }

    /** The properties device 1 gets on top of the lifecycle's (e.g. the injected probe fault). */
    Map<String, Object> secondDevice() {
        return Map.of();
    }

    /** The threads other than compaction, in order (the second device's probe first). */
    abstract Map<String, Runnable> threads(LabContext lab, DeviceConfigs devices, Map<String, Object> device1)
            throws Exception;

    /** What the race's own threads leave to undo before the devices are put back (and the guest rebooted). */
    void beforeRestore() throws Exception {
    }

    @Override
    public Map<String, Runnable> prepare(LabContext lab, Setup setup) throws Exception {
        if (setup.contract() != MigrationContract.BALLOON_2012) {
            throw new IllegalArgumentException("race " + name() + " runs under the 2012 contract only: page->mapping"
                    + " leads migration to the balloon mapping there (--contract 2012)");
        }
        Bundle virtio = lab.bundle(VIRTIO);
        if (virtio.getState() != Bundle.ACTIVE) {
            virtio.start();
        }
        rebooted = true;
        lab.reboot(MigrationContract.BALLOON_2012);
        lab.kcompactd(false);
        lab.kasanQuarantine(quarantine(setup.variant()));
        configs = configs != null ? configs : new DeviceConfigs(lab); // kept between runs (see reset)
        Map<String, Object> props = lifecycle(setup.variant());
        configs.device0(props);
        lab.setTarget(Device0.NAME, PAGES);
        Map<String, Object> device1 = new LinkedHashMap<>(props);
        device1.putAll(secondDevice());
        MemoryManager mm = lab.mm();
        MmLab mmLab = lab.mmLab();
        Map<String, Runnable> threads = new LinkedHashMap<>(threads(lab, configs, device1));
        threads.put("compaction", () -> inflateAndMigrateOne(lab, mm, mmLab));
        return threads;
    }

    /** Device 0 inflates MORE pages (fill_balloon stores balloon_mapping into each), then one is migrated. */
    private static void inflateAndMigrateOne(LabContext lab, MemoryManager mm, MmLab mmLab) {
        try {
            BitSet before = heldFrames(mm);
            lab.setTarget(Device0.NAME, PAGES + MORE);
            BitSet fresh = heldFrames(mm);
            fresh.andNot(before);
            int pfn = fresh.nextSetBit(0);
            if (pfn < 0) {
                throw new IllegalStateException("device 0 inflated no page after its host asked for " + (PAGES + MORE));
            }
            mm.migrateRange(pfn, pfn + 1, MigrateMode.SYNC);
            mmLab.injectionPoint(InjectionPoints.LAB_MIGRATED, pfn); // the mark a script orders others after
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("inflating device 0: " + e, e);
        }
    }

    /** The frames a host holds: the balloon's pages, found without reading their page->mapping. */
    private static BitSet heldFrames(MemoryManager mm) {
        BitSet held = new BitSet(mm.nrPages());
        for (int pfn = 0; pfn < mm.nrPages(); pfn++) {
            if (mm.frameHolder(pfn) != null) {
                held.set(pfn);
            }
        }
        return held;
    }

    /**
     * Between runs: what the run's threads left, and device 1, go; device 0 keeps the lifecycle's
     * properties, and the next prepare() reboots the guest, which gives back every page (see cleanup).
     */
    @Override
    public void reset(LabContext lab) throws Exception {
        if (configs != null) {
            beforeRestore();
            configs.deleteSecond();
        }
    }

    /**
     * The devices put back and the guest rebooted with the default contract, whatever the run did: a
     * schedule other than the script's (lab:explore, lab:shrink) may let mm take device 0's pages for
     * device 1's, and then removing them fails (in dmesg and the log) until the reboot gives every page back.
     */
    @Override
    public void cleanup(LabContext lab) throws Exception {
        try {
            if (configs != null) {
                beforeRestore();
                configs.restore();
            }
        } finally {
            if (rebooted) {
                rebooted = false;
                lab.reboot(MigrationContract.MOVABLE_OPS_2025);
                lab.kcompactd(true);
            }
            if (configs != null) {
                configs.awaitBack();
                configs = null;
            }
        }
    }
}
