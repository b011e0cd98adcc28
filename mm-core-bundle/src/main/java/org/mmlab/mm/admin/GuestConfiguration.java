package org.mmlab.mm.admin;

import java.util.LinkedHashMap;
import java.util.Map;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;

/**
 * The configuration a guest booted with (PID org.mmlab.mm), every property checked.
 *
 * @param memoryBytes       memorySize: the guest's memory
 * @param dma32Bytes        dma32Size: what was asked for ZONE_DMA32
 * @param zoneDma32Bytes    ZONE_DMA32 as built (dma32Size, capped by the memory)
 * @param contentModel      "tag" (a 64-bit tag a page) or "frame" (a real 4 KiB frame off the heap)
 * @param debugVm           CONFIG_DEBUG_VM
 * @param debugList         CONFIG_DEBUG_LIST
 * @param migrationContract the contract for migrating pages that are not on the LRU
 * @param pagePoisoning     CONFIG_PAGE_POISONING with page_poison=1
 * @param lockdep           CONFIG_PROVE_LOCKING: lockdep on from boot
 */
public record GuestConfiguration(long memoryBytes, long dma32Bytes, long zoneDma32Bytes, String contentModel,
        boolean debugVm, boolean debugList, MigrationContract migrationContract, boolean pagePoisoning,
        boolean lockdep) {

    /** max_pfn: the guest's pages. */
    public long nrPages() {
        return memoryBytes >> Mm.PAGE_SHIFT;
    }

    /** As the properties of PID org.mmlab.mm, sizes in bytes, in {@link GuestConfig#PROPERTIES}' order. */
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("memorySize", Long.toString(memoryBytes));
        p.put("dma32Size", Long.toString(dma32Bytes));
        p.put("contentModel", contentModel);
        p.put("debugVm", debugVm);
        p.put("debugList", debugList);
        p.put("migrationContract", migrationContract.value());
        p.put("pagePoisoning", pagePoisoning);
        p.put("lockdep", lockdep);
        return p;
    }
}
