package org.mmlab.mm;

/** enum migratetype (include/linux/mmzone.h), with migratetype_names[] as /proc/pagetypeinfo prints them. */
public enum MigrateType {
    UNMOVABLE("Unmovable"),
    MOVABLE("Movable"),
    RECLAIMABLE("Reclaimable"),
    /** MIGRATE_HIGHATOMIC == MIGRATE_PCPTYPES: reserved for high-order atomic allocations. */
    HIGHATOMIC("HighAtomic"),
    /** MIGRATE_ISOLATE: can't allocate from here (memory offlining, alloc_contig_range). */
    ISOLATE("Isolate");

    /** MIGRATE_PCPTYPES: the types that have per-cpu lists and can fall back to each other. */
    public static final int PCPTYPES = 3;
    private static final MigrateType[] VALUES = values();

    private final String kernelName;

    MigrateType(String kernelName) {
        this.kernelName = kernelName;
    }

    /** The name in migratetype_names[]. */
    public String kernelName() {
        return kernelName;
    }

    public static MigrateType of(int ordinal) {
        return VALUES[ordinal];
    }

    /** migratetype_is_mergeable(): buddies of these types may merge across pageblocks. */
    public boolean isMergeable() {
        return ordinal() < PCPTYPES;
    }
}
