package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.testing.TestDriver.Balloon2012;

/**
 * v3.8's lockless balloon_page_movable() loads page->mapping, then mapping->flags, with no page lock: the
 * point balloon.mapping_balloon between the two loads, where the driver's remove can drain the balloon and
 * free the mapping (race 13), and no such point where the page lock or the lab's own look reads it.
 */
class LocklessMappingLoadTest {
    private final GuestMemory g = FakeMovableDrivers.guest("2012");
    private final Balloon2012<MovablePages2012Impl> d = FakeMovableDrivers.balloon2012(g);
    private final List<String> seen = new ArrayList<>();

    @Test
    void theRemoveFreeingTheMappingBetweenTheTwoLoadsIsAUseAfterFreeInTheScan() {
        int pfn = d.add();
        ModuleTracker.bind(g.modules.table, (point, p) -> {
            seen.add(point + " " + p);
            if (point.equals(InjectionPoints.BALLOON_MAPPING_BALLOON)) {
                d.release(pfn); // the remove's drain: page->mapping cleared under the page lock, the page freed
                d.mp.balloonMappingFree(d.mapping); // then virtballoon_remove()'s balloon_mapping_free()
            }
        }, Map.of());

        assertThat(g.migrate.pageHasMovableOps(pfn)).as("KASAN abandons the load of mapping->flags").isFalse();

        assertThat(seen).containsExactly(InjectionPoints.BALLOON_MAPPING_BALLOON + " " + pfn, "mapping.free -1");
        String log = String.join("\n", g.dmesg.lines());
        assertThat(log).contains("BUG: KASAN: slab-use-after-free in isolate_migratepages_block");
        assertThat(log.substring(log.indexOf("Freed by task "))).contains("balloonMappingFree")
                .contains("LocklessMappingLoadTest.lambda$");
    }

    @Test
    void theLoadsUnderThePageLockAndTheLabsOwnLookAreNoPoint() {
        int pfn = d.add();
        ModuleTracker.bind(g.modules.table, (point, p) -> seen.add(point), Map.of());

        assertThat(g.migrate.ownerOf(pfn)).as("the owner registry's look").isNotNull();
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isTrue();
        g.migrate.movable.putback(pfn);

        assertThat(seen).doesNotContain(InjectionPoints.BALLOON_MAPPING_BALLOON).contains("isolate.get_page");
        assertThat(g.migrate.pageHasMovableOps(pfn)).isTrue();
        assertThat(seen).containsOnlyOnce(InjectionPoints.BALLOON_MAPPING_BALLOON);
    }
}
