package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.lab.InjectionPoints;

/** "lock:CLASS" injection points: before each blocking acquire of an annotated lock, only when the lab asks. */
class LockPointsTest {
    private final List<String> seen = new ArrayList<>();
    private final InjectionPoints points = (point, pfn) -> seen.add(point);

    @Test
    void aLabThatAsksForLockPointsStopsBeforeEveryBlockingAcquireButNotAtATrylock() {
        MmCore core = HostFramesTest.boot();
        ModuleTable table = core.guest().modules.table;
        ModuleTracker.bind(table, points, Map.of(InjectionPoints.LOCK_POINTS, true));

        core.lockdepAcquire("balloon_pages_lock", false);
        core.lockdepRelease("balloon_pages_lock");
        core.lockdepAcquire("&vb->balloon_lock", true); // a trylock cannot block: no point
        core.lockdepRelease("&vb->balloon_lock");
        core.lockdepAcquire("&vb->balloon_lock", false);
        core.lockdepRelease("&vb->balloon_lock");

        assertThat(seen).containsExactly("lock:balloon_pages_lock", "lock:&vb->balloon_lock");
    }

    @Test
    void withoutTheServicePropertyLocksAreNoPoints() {
        MmCore core = HostFramesTest.boot();
        ModuleTable table = core.guest().modules.table;
        ModuleTracker.bind(table, points, Map.of());

        core.lockdepAcquire("balloon_pages_lock", false);
        core.lockdepRelease("balloon_pages_lock");
        core.injectionPoint("call.enter:b_dev_info.migratepage", 1);

        assertThat(seen).containsExactly("call.enter:b_dev_info.migratepage");
    }
}
