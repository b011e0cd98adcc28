package org.mmlab.mm.admin;

import java.util.List;

/**
 * What one compaction run did (mm/compaction.c's compact_control totals, summed over the zones it
 * compacted): mm:compact prints it.
 *
 * @param migrateScanned  pages the migrate scanner looked at (compact_migrate_scanned)
 * @param freeScanned     pages the free scanner looked at (compact_free_scanned)
 * @param isolatedMigrate pages isolated for migration
 * @param isolatedFree    free pages isolated as migration targets
 * @param migrated        pages migrated
 * @param failed          pages whose migration failed (put back)
 * @param zoneResults     each zone's compact_result, e.g. "DMA32: complete"
 */
public record CompactStats(long migrateScanned, long freeScanned, long isolatedMigrate, long isolatedFree,
        long migrated, long failed, List<String> zoneResults) {
    public CompactStats {
        zoneResults = List.copyOf(zoneResults);
    }

    /** Pages isolated, for migration and as targets. */
    public long isolated() {
        return isolatedMigrate + isolatedFree;
    }
}
