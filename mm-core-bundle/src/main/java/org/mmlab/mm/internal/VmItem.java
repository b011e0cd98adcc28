package org.mmlab.mm.internal;

/**
 * The /proc/vmstat items the simulation keeps, under their kernel names and in the kernel's
 * order (mm/vmstat.c vmstat_text: zone stats, node stats, then vm events).
 */
public enum VmItem {
    // zone_stat_item: summed over zones from the zones themselves
    NR_FREE_PAGES("nr_free_pages", Kind.ZONE),
    NR_ZONE_INACTIVE_ANON("nr_zone_inactive_anon", Kind.ZONE),
    // node_stat_item
    NR_INACTIVE_ANON("nr_inactive_anon", Kind.NODE),
    /**
     * Pages of unreclaimable slab caches: the kernel's interface takes bytes (account_slab() adds
     * PAGE_SIZE &lt;&lt; order) and keeps whole pages (vmstat_item_in_bytes()); /proc/vmstat prints pages.
     */
    NR_SLAB_UNRECLAIMABLE_B("nr_slab_unreclaimable", Kind.NODE, true),
    /** LRU pages taken off the LRU for migration (folio_isolate_lru() until putback or migration). */
    NR_ISOLATED_ANON("nr_isolated_anon", Kind.NODE),
    NR_ANON_PAGES("nr_anon_pages", Kind.NODE),
    NR_PAGETABLE("nr_page_table_pages", Kind.NODE),
    /** Pages inflated in balloons: counted by the balloon infrastructure (NodeStat.NR_BALLOON_PAGES). */
    NR_BALLOON_PAGES("nr_balloon_pages", Kind.NODE),
    // vm_event_item
    PGALLOC_DMA32("pgalloc_dma32", Kind.EVENT),
    PGALLOC_NORMAL("pgalloc_normal", Kind.EVENT),
    /** Entries into direct reclaim, by the allocation's highest zone (do_try_to_free_pages(), v4.8 on). */
    ALLOCSTALL_DMA32("allocstall_dma32", Kind.EVENT),
    ALLOCSTALL_NORMAL("allocstall_normal", Kind.EVENT),
    PGFREE("pgfree", Kind.EVENT),
    PGFAULT("pgfault", Kind.EVENT),
    OOM_KILL("oom_kill", Kind.EVENT),
    // mm/migrate.c: pages migrated, and pages migrate_pages() gave up on
    PGMIGRATE_SUCCESS("pgmigrate_success", Kind.EVENT),
    PGMIGRATE_FAIL("pgmigrate_fail", Kind.EVENT),
    // mm/compaction.c: COMPACTMIGRATE_SCANNED .. KCOMPACTD_FREE_SCANNED
    COMPACTMIGRATE_SCANNED("compact_migrate_scanned", Kind.EVENT),
    COMPACTFREE_SCANNED("compact_free_scanned", Kind.EVENT),
    COMPACTISOLATED("compact_isolated", Kind.EVENT),
    COMPACTSTALL("compact_stall", Kind.EVENT),
    COMPACTFAIL("compact_fail", Kind.EVENT),
    COMPACTSUCCESS("compact_success", Kind.EVENT),
    KCOMPACTD_WAKE("compact_daemon_wake", Kind.EVENT),
    KCOMPACTD_MIGRATE_SCANNED("compact_daemon_migrate_scanned", Kind.EVENT),
    KCOMPACTD_FREE_SCANNED("compact_daemon_free_scanned", Kind.EVENT),
    // mm/balloon.c (CONFIG_BALLOON): counted by the balloon infrastructure (VmEvent)
    BALLOON_INFLATE("balloon_inflate", Kind.EVENT),
    BALLOON_DEFLATE("balloon_deflate", Kind.EVENT),
    BALLOON_MIGRATE("balloon_migrate", Kind.EVENT);

    /** The internal item of an event a driver counts. */
    static VmItem of(org.mmlab.mm.VmEvent e) {
        return OF_EVENT[e.ordinal()];
    }

    /** The internal item of a node stat a driver changes. */
    static VmItem of(org.mmlab.mm.NodeStat s) {
        return OF_NODE_STAT[s.ordinal()];
    }

    /**
     * The items of the exported enums, by ordinal, looked up by name once: valueOf() per count was a
     * HashMap lookup on every balloon page (28 % of an inflate's CPU samples under JFR).
     */
    private static final VmItem[] OF_EVENT = byName(org.mmlab.mm.VmEvent.values());
    private static final VmItem[] OF_NODE_STAT = byName(org.mmlab.mm.NodeStat.values());

    private static VmItem[] byName(Enum<?>[] exported) {
        VmItem[] items = new VmItem[exported.length];
        for (Enum<?> e : exported) {
            items[e.ordinal()] = valueOf(e.name());
        }
        return items;
    }

    /** Where a counter lives: per zone, per node, or a global event count. */
    enum Kind { ZONE, NODE, EVENT }

    private final String kernelName;
    private final Kind kind;
    /** vmstat_item_in_bytes(): mod_node_page_state() takes bytes for it, in multiples of PAGE_SIZE (the *_B items). */
    final boolean inBytes;

    VmItem(String kernelName, Kind kind) {
        this(kernelName, kind, false);
    }

    VmItem(String kernelName, Kind kind, boolean inBytes) {
        this.kernelName = kernelName;
        this.kind = kind;
        this.inBytes = inBytes;
    }

    public String kernelName() {
        return kernelName;
    }

    Kind kind() {
        return kind;
    }
}
