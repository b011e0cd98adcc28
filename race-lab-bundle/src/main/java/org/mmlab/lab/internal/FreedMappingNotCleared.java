package org.mmlab.lab.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mmlab.lab.internal.sched.OnBehalf;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages2012;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.framework.ServiceReference;

/**
 * Race 4 (seed 003, Tsirkin on the v7 virtio balloon patch's probe error path: "No need to set it to
 * NULL? It seems if someone else allocates a mapping and gets this chunk of memory by chance, the logic
 * in mm will get confused."). Devices 0 and 1 run the v7 lifecycle, with its one module-global
 * balloon_mapping. Device 1's probe publishes its mapping, init_vqs() fails, and the error path frees
 * the mapping but leaves the global pointing at it; another driver (the race lab's bundle) allocates a
 * mapping and gets that memory; device 0 inflates, and fill_balloon stores the stale pointer into its
 * new pages; compaction migrates one, and mm reads another driver's mapping through it. KASAN catches
 * the stale pointer by its tag (the free is still in the stack ring: slab-use-after-free); with a
 * quarantine the other allocation gets fresh memory and KASAN catches the freed object instead; with
 * KASAN off mm takes the page for the other driver's. Clearing the pointer (v7-clear) leaves the new
 * pages unmovable; v3.8's per-device mapping is never shared.
 */
final class FreedMappingNotCleared extends MappingLifetimeRace {
    static final String V7 = "v7";
    static final String V7_QUARANTINE = "v7-quarantine";
    static final String V7_CLEAR = "v7-clear";
    static final String V38 = "v3.8";
    /** The quarantine of the v7-quarantine variant: more than the frees of a run, so nothing is reused. */
    static final int QUARANTINE = 8;

    private OtherDriverMapping other;
    private ServiceReference<MovablePages2012> otherRef;
    private LabContext lab;

    FreedMappingNotCleared() {
        super(new RaceMetadata("freed-mapping-not-cleared", "003",
                "No need to set it to NULL? It seems if someone else allocates a mapping and gets this chunk of memory"
                        + " by chance, the logic in mm will get confused.",
                RaceMetadata.variants(
                        V7, "2012: the reviewed v7 patch: one module-global balloon_mapping, freed on probe's error"
                                + " path (init_vqs() fails) and left pointing at the freed memory; KASAN without"
                                + " quarantine (tag-based)",
                        V7_QUARANTINE, "the same with KASAN's quarantine (" + QUARANTINE + " objects): the other"
                                + " allocation gets fresh memory, and the stale pointer reaches the freed object",
                        V7_CLEAR, "v7 with the reviewer's fix: balloon_mapping = NULL after kfree()",
                        V38, "2012 as merged (v3.8): each device's mapping made by balloon_mapping_alloc() and freed"
                                + " with it"),
                failsUnder(V7),
                List.of(Pass.survives(new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, V7_CLEAR)),
                        Pass.survives(new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, V38))),
                List.of("probe", "other", "compaction"),
                "2012 only; devices 0 and 1 run the variant's lifecycle (mappingInit, mappingFree of"
                        + " org.mmlab.virtio.balloon), device 1 with failInitVqs=true; the other allocator is the race"
                        + " lab's bundle; v7-quarantine fails too, with the freed object caught instead of the reused"
                        + " one",
                "probe@mapping.free < other@start, other@mapping.alloc < compaction@start",
                "BUG: KASAN: slab-use-after-free in isolate_migratepages_block"));
    }

    /** Race 13's report has the same title: this one's object was freed on the probe's error path (out_free_vb). */
    @Override
    public boolean reportIsOurs(String report) {
        return super.reportIsOurs(report) && KasanReports.freedBy(report).contains("outFreeVb");
    }

    @Override
    Map<String, Object> lifecycle(String variant) {
        return switch (variant) {
            case V38 -> Map.of("mappingInit", "v3.8");
            case V7_CLEAR -> Map.of("mappingInit", "v7", "mappingFree", "clear");
            default -> Map.of("mappingInit", "v7", "mappingFree", "v7");
        };
    }

    @Override
    int quarantine(String variant) {
        return variant.equals(V7_QUARANTINE) ? QUARANTINE : 0;
    }

    @Override
    Map<String, Object> secondDevice() {
        return Map.of("failInitVqs", true);
    }

    @Override
    Map<String, Runnable> threads(LabContext lab, DeviceConfigs devices, Map<String, Object> device1)
            throws Exception {
        this.lab = lab;
        otherRef = lab.context.getServiceReference(MovablePages2012.class);
        other = new OtherDriverMapping(lab.mm(), lab.context.getService(otherRef));
        Map<String, Runnable> threads = new LinkedHashMap<>();
        threads.put("probe", new OnBehalf(() -> {
            try {
                devices.create("1", device1);
            } catch (Exception e) {
                throw new IllegalStateException("creating device 1: " + e, e);
            }
        }, InjectionPoints.MAPPING_FREE, InjectionPoints.MAPPING_ALLOC, InjectionPoints.VIRTIO_MAPPING_PUBLISHED,
                InjectionPoints.MAPPING_FREE));
        threads.put("other", other::alloc);
        return threads;
    }

    @Override
    void beforeRestore() {
        if (other != null) {
            other.free();
            other = null;
            lab.context.ungetService(otherRef);
        }
    }
}
