package org.mmlab.balloon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.internal.Lockdep;

/** mm/balloon.c's pages_lock (balloon_pages_lock under 2025) under lockdep, with the page and zone locks around it. */
class BalloonLockdepTest {

    @ParameterizedTest
    @EnumSource(MigrationContract.class)
    void inflatingCompactingAndDeflatingTakeTheLocksInOneOrder(MigrationContract contract) throws InterruptedException {
        Guest g = new Guest(contract);
        Lockdep lockdep = g.core.guest().debug().lockdep();
        lockdep.setOn(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread task = new Thread(() -> {
            try {
                BalloonDevInfo b = g.device("balloon 0", new Guest.Host(), true);
                List<Integer> spare = new ArrayList<>();
                int pfn;
                for (int i = 0; (pfn = g.driver.balloonPageAlloc()) != Mm.NO_PAGE; i++) {
                    if (i % 2 == 0) {
                        g.driver.balloonPageEnqueue(b, pfn);
                    } else {
                        spare.add(pfn);
                    }
                }
                spare.forEach(g.core::putPage);
                g.core.guest().compaction().compactMemory(MigrateMode.SYNC);
                while (b.nrPages() > 0) {
                    g.core.putPage(g.driver.balloonPageDequeue(b));
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "balloon-task");
        task.start();
        task.join();

        assertThat(failure.get()).isNull();
        assertThat(g.core.guest().debug().reports()).as("%s", g.core.guest().dmesg().lines()).isZero();
        String pagesLock = contract == MigrationContract.MOVABLE_OPS_2025 ? "balloon_pages_lock"
                : "&b_dev_info->pages_lock";
        // rule i of 2012 (page lock, then pages_lock), and the zone lock innermost (freeing, managed pages)
        List<String> order = List.of("page lock", pagesLock, "&pcp->lock", "&zone->lock");
        assertThat(lockdep.dependencies()).contains("page lock -> " + pagesLock).allSatisfy(d -> {
            String[] ends = d.split(" -> ");
            assertThat(order.indexOf(ends[0])).as(d).isNotNegative().isLessThan(order.indexOf(ends[1]));
        });
    }
}
