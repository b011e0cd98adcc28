package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.Mm;

/** A migration list as compaction keeps one (cc->migratepages), with migrate_pages() run on it. */
final class MigrationList {
    static final int GFP_TARGET = Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOWARN;

    final GuestMemory g;
    final int head;
    /** Every target page getNew handed out, in order. */
    final List<Integer> targets = new ArrayList<>();
    int succeeded;

    MigrationList(GuestMemory g, int... pfns) {
        this.g = g;
        this.head = g.map.allocListHead();
        for (int pfn : pfns) {
            add(pfn);
        }
    }

    void add(int pfn) {
        assertThat(g.lists.add(pfn, head)).isTrue();
    }

    /** migrate_pages() with new pages from the allocator: returns what it returned. */
    int migrate(MigrateMode mode) {
        int[] s = {0};
        int rc = g.migrate.migratePages(head, (src, order) -> {
            int pfn = g.allocPages(GFP_TARGET, order);
            if (pfn != Mm.NO_PAGE) {
                targets.add(pfn);
            }
            return pfn;
        }, null, mode, Migrate.Reason.COMPACTION, s);
        succeeded = s[0];
        return rc;
    }

    List<Integer> pages() {
        List<Integer> out = new ArrayList<>();
        for (int p = g.lists.first(head); p != head; p = g.lists.next(p)) {
            out.add(p);
        }
        return out;
    }

    void putback() {
        g.migrate.putbackMovablePages(head);
    }

    /** Gives the list head back (the list must be empty: migrated or put back). */
    void close() {
        assertThat(g.lists.isEmpty(head)).as("pages left on the migration list").isTrue();
        g.map.freeListHead(head);
    }

    int lastTarget() {
        return targets.get(targets.size() - 1);
    }
}
