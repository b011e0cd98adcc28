package org.mmlab.mm.internal;

import org.mmlab.mm.MovableOwner;
import org.mmlab.mm.PageType;

/**
 * mm:migration: mm/migrate.c's counters (pgmigrate_success, pgmigrate_fail, nr_isolated_anon),
 * the pages on migration lists now, the movable_ops registered per page type (2025), and the
 * registry of who owns which movable pages, with what migration did with them.
 */
public final class MigrateStats {
    private MigrateStats() {
    }

    public static String show(GuestMemory g) {
        Migrate m = g.migrate;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("migrationContract %s: %s%n", m.contract().value(), m.contract().description()));
        sb.append(String.format("pgmigrate_success %d%npgmigrate_fail %d%nnr_isolated_anon %d%n",
                g.vmstat.get(VmItem.PGMIGRATE_SUCCESS), g.vmstat.get(VmItem.PGMIGRATE_FAIL),
                g.vmstat.get(VmItem.NR_ISOLATED_ANON)));
        sb.append(g.compaction.counters()); // mm/compaction.c's compact_* events
        sb.append(String.format("isolated now: %d LRU pages, %d movable pages%n", m.isolatedLruPages().cardinality(),
                m.isolatedMovablePages().cardinality()));
        if (m.movable instanceof MovableOps2025 v2025) {
            for (PageType t : new PageType[] {PageType.OFFLINE, PageType.ZSMALLOC}) {
                Object ops = v2025.movableOps(t);
                sb.append(String.format("movable_ops %-8s %s%n", t.kernelName(), ops == null ? "(none)"
                        : ops.getClass().getName()));
            }
        }
        java.util.List<MovableOwner> owners = m.owners.snapshot(g);
        if (owners.isEmpty()) {
            sb.append("owners: none registered\n");
            return sb.toString();
        }
        sb.append(String.format("%-32s %5s %4s %8s %8s %10s %8s %8s  %s%n", "BUNDLE", "ID", "CONT", "PAGES", "ISOLATED",
                "ISOLATIONS", "MIGRATED", "PUTBACK", "WHAT"));
        for (MovableOwner o : owners) {
            sb.append(String.format("%-32s %5d %4s %8d %8d %10d %8d %8d  %s%s%n", o.bundle(), o.bundleId(),
                    o.contract().value(), o.pages(), o.isolated(), o.isolations(), o.migrated(), o.putBack(), o.what(),
                    o.released() ? " (released)" : ""));
        }
        return sb.toString();
    }
}
