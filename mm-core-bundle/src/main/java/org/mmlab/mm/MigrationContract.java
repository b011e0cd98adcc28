package org.mmlab.mm;

/**
 * The three contracts the kernel has had for migrating pages that are not on the LRU, chosen per
 * run by configuration property {@code migrationContract} of PID {@code org.mmlab.mm}. The races
 * differ between them, so the lab runs whichever one a scenario needs.
 */
public enum MigrationContract {
    /**
     * v3.8 (Rafael Aquini, 18468d93e53b): a balloon page's {@code page->mapping} is an address space
     * the driver allocated with {@code balloon_mapping_alloc(b_dev_info, a_ops)}; isolation and putback
     * are balloon-specific hooks; {@code a_ops->migratepage} migrates (include/linux/balloon_compaction.h).
     */
    BALLOON_2012("2012", "balloon_compaction (v3.8): balloon mapping + a_ops->migratepage"),
    /**
     * v4.8 (Minchan Kim, bda807d44454): any driver marks pages with {@code __SetPageMovable(page, mapping)}
     * under the page lock; {@code a_ops->isolate_page/migratepage/putback_page}; PG_isolated.
     */
    NON_LRU_2016("2016", "non-LRU movable pages (v4.8): __SetPageMovable + a_ops, PG_isolated"),
    /**
     * v6.17 (David Hildenbrand): {@code set_movable_ops(ops, type)} once per page type (offline or
     * zsmalloc), PG_movable_ops and PG_movable_ops_isolated.
     */
    MOVABLE_OPS_2025("2025", "movable_ops (v6.17): set_movable_ops per page type, PG_movable_ops");

    private final String value;
    private final String description;

    MigrationContract(String value, String description) {
        this.value = value;
        this.description = description;
    }

    /** The configuration value: "2012", "2016" or "2025". */
    public String value() {
        return value;
    }

    public String description() {
        return description;
    }

    /**
     * The contract for a configuration value.
     *
     * @throws IllegalArgumentException naming the value and the three that are allowed
     */
    public static MigrationContract parse(String value) {
        for (MigrationContract c : values()) {
            if (c.value.equals(value == null ? null : value.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("migrationContract=" + value + ": must be 2012 (balloon_compaction,"
                + " v3.8), 2016 (non-LRU movable pages, v4.8) or 2025 (movable_ops, v6.17)");
    }

    @Override
    public String toString() {
        return value;
    }
}
