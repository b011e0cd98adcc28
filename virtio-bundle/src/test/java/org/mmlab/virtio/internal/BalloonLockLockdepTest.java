package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.mm.internal.Lockdep;

/** virtio_balloon.c's balloon_lock under lockdep: fill and leak lock it, migratepage only try-locks it. */
class BalloonLockLockdepTest {

    @Test
    void fillMigrateAndLeakTakeBalloonLockInOneOrder() {
        try (TestGuest g = new TestGuest()) {
            Lockdep lockdep = g.mm.guest().debug().lockdep();
            lockdep.setOn(true);
            VirtioBalloonDevice d = g.device("0");
            // more than a per-cpu list holds, so that leak_balloon()'s frees under balloon_lock reach zone->lock
            g.inflateTo(d, 4000);
            BalloonDevInfo b = d.driver().vbDevInfo;
            int pfn = g.balloons.isolateOne(b);
            int newPfn = g.mm.allocPages(FakeBalloons.GFP_BALLOON, 0);
            g.mm.lockdepAcquire("page lock", false); // as migrate_pages() holds the old page's lock
            assertThat(g.balloons.migrate(b, newPfn, pfn)).isZero();
            g.mm.lockdepRelease("page lock");
            g.inflateTo(d, 0);

            assertThat(g.mm.guest().debug().reports()).as("%s", g.dmesg()).isZero();
            assertThat(lockdep.dependencies()).as("a trylock under the page lock records nothing")
                    .doesNotContain("page lock -> " + VirtioBalloon.BALLOON_LOCK_CLASS)
                    .anyMatch(dep -> dep.startsWith(VirtioBalloon.BALLOON_LOCK_CLASS + " -> "));
        }
    }
}
