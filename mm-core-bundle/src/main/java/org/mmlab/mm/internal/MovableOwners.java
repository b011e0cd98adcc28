package org.mmlab.mm.internal;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovableOwner;

/**
 * The registry of who owns which movable pages: every mapping (2012, 2016) and movable_ops (2025)
 * with the bundle that registered it. The kernel has no such table (a page's mapping or type is all
 * it knows); the lab keeps one so that mm:migration can say whose pages migration moves.
 */
final class MovableOwners {
    /** One registration: a mapping or a page type's movable_ops, and its counters. */
    static final class Registration {
        final String bundle;
        final long bundleId;
        final MigrationContract contract;
        final String what;
        final LongAdder isolations = new LongAdder();
        final LongAdder migrated = new LongAdder();
        final LongAdder putBack = new LongAdder();
        volatile boolean released;

        Registration(String bundle, long bundleId, MigrationContract contract, String what) {
            this.bundle = bundle;
            this.bundleId = bundleId;
            this.contract = contract;
            this.what = what;
        }
    }

    private final List<Registration> registrations = new CopyOnWriteArrayList<>();

    Registration add(String bundle, long bundleId, MigrationContract contract, String what) {
        Registration r = new Registration(bundle, bundleId, contract, what);
        registrations.add(r);
        return r;
    }

    List<Registration> all() {
        return List.copyOf(registrations);
    }

    /**
     * The registry with page counts now: one pass over the memmap, attributing every movable page
     * to its mapping's or its type's registration. Racy like any /proc view (no lock is taken).
     */
    List<MovableOwner> snapshot(GuestMemory g) {
        Map<Registration, long[]> counts = new IdentityHashMap<>();
        Migrate m = g.migrate;
        for (int pfn = 0; pfn < g.map.nrPages; pfn++) {
            Registration r = m.ownerOf(pfn);
            if (r != null) {
                long[] c = counts.computeIfAbsent(r, k -> new long[2]);
                c[0]++;
                if (m.isolatedMovable(pfn)) {
                    c[1]++;
                }
            }
        }
        List<MovableOwner> out = new ArrayList<>();
        for (Registration r : registrations) {
            long[] c = counts.getOrDefault(r, new long[2]);
            out.add(new MovableOwner(r.bundle, r.bundleId, r.contract, r.what, c[0], c[1], r.isolations.sum(),
                    r.migrated.sum(), r.putBack.sum(), r.released));
        }
        return out;
    }
}
