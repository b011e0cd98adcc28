package org.mmlab.lab.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mmlab.lab.internal.sched.OnBehalf;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * Race 5 (seed 003, Tsirkin on the v7 virtio balloon patch's probe: "Can balloon_mapping be
 * dereferenced at this point? Then what happens?"). Devices 0 and 1 run the v7 lifecycle. Device 1's
 * probe sets the module-global balloon_mapping = kmalloc() and has yet to initialise it when device 0
 * inflates: fill_balloon stores the new pointer into its pages, and compaction migrating one reads
 * mapping->flags of memory nobody wrote. KMSAN reports the uninitialised value (KASAN sees nothing: the
 * memory is allocated and the tag matches). Under v3.8 each device's mapping is allocated and
 * initialised by balloon_mapping_alloc() before b_dev_info publishes it, and device 0 never sees
 * device 1's.
 */
final class MappingUsedBeforeInit extends MappingLifetimeRace {
    static final String V7 = "v7";
    static final String V38 = "v3.8";

    MappingUsedBeforeInit() {
        super(new RaceMetadata("mapping-used-before-init", "003",
                "Can balloon_mapping be dereferenced at this point? Then what happens?",
                RaceMetadata.variants(
                        V7, "2012: the reviewed v7 patch: the module-global balloon_mapping = kmalloc() is published"
                                + " before INIT_RADIX_TREE() and a_ops are set",
                        V38, "2012 as merged (v3.8): balloon_mapping_alloc() allocates and initialises each device's"
                                + " mapping before b_dev_info publishes it"),
                failsUnder(V7),
                List.of(Pass.survives(new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, V38))),
                List.of("probe", "compaction"),
                "2012 only; devices 0 and 1 run the variant's lifecycle (mappingInit of org.mmlab.virtio.balloon);"
                        + " device 1's probe runs on Configuration Admin's thread, scheduled from its first"
                        + " mapping.alloc",
                "probe@mapping.alloc < compaction@start, compaction@lab.migrated < probe@virtio.mapping_published",
                "BUG: KMSAN: uninit-value in isolate_migratepages_block"));
    }

    @Override
    Map<String, Object> lifecycle(String variant) {
        return Map.of("mappingInit", variant.equals(V38) ? "v3.8" : "v7");
    }

    @Override
    Map<String, Runnable> threads(LabContext lab, DeviceConfigs devices, Map<String, Object> device1) {
        Map<String, Runnable> threads = new LinkedHashMap<>();
        threads.put("probe", new OnBehalf(() -> {
            try {
                devices.create("1", device1);
            } catch (Exception e) {
                throw new IllegalStateException("creating device 1: " + e, e);
            }
        }, InjectionPoints.VIRTIO_MAPPING_PUBLISHED, InjectionPoints.MAPPING_ALLOC,
                InjectionPoints.VIRTIO_MAPPING_PUBLISHED));
        return threads;
    }
}
