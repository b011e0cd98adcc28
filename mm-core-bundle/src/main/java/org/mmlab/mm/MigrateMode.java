package org.mmlab.mm;

/** enum migrate_mode (include/linux/migrate_mode.h). */
public enum MigrateMode {
    /** MIGRATE_ASYNC: never block; trylock only. */
    ASYNC,
    /** MIGRATE_SYNC_LIGHT: may block on most locks, but not on writeback. */
    SYNC_LIGHT,
    /** MIGRATE_SYNC: may block. */
    SYNC
}
