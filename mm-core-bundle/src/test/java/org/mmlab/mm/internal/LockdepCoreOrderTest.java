package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.mm.internal.LockdepTest.inNewTask;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.Mm;
import org.mmlab.mm.admin.FragmentResult;
import org.mmlab.mm.admin.WorkloadControl;

/** mm-core's own locks under lockdep: allocation, the fragmenting workload and compaction take them in one order. */
class LockdepCoreOrderTest {
    @Test
    void allocationAndCompactionOfASmallGuestTakeTheCoreLocksInOneOrder() throws InterruptedException {
        GuestMemory g = new GuestMemory(MmConfig.parse("256M", "128M", "tag", true, true));
        g.debug.lockdep().setOn(true);
        inNewTask(() -> {
            Workload w = new Workload(g);
            FragmentResult r = w.fragment(1, WorkloadControl.DEFAULT_TARGET_PERCENT);
            assertThat(r.reached()).as(r.describe()).isTrue();
            g.compaction.compactMemory(MigrateMode.ASYNC);
            g.compaction.compactMemory(MigrateMode.SYNC);
            int huge = g.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_COMP, Mm.PAGEBLOCK_ORDER);
            assertThat(huge).isNotEqualTo(Mm.NO_PAGE);
            g.freePages(huge, Mm.PAGEBLOCK_ORDER);
            assertThat(g.debug.lockdep().heldClasses()).isEmpty();
        });

        assertThat(g.debug.reports()).as("%s", g.dmesg.lines()).isZero();
        // every nesting the run recorded follows Migrate's order, outermost first
        List<String> order = List.of("page lock", "lru_lock", "&pcp->lock", "&zone->lock");
        assertThat(g.debug.lockdep().dependencies()).isNotEmpty().allSatisfy(d -> {
            String[] ends = d.split(" -> ");
            assertThat(order.indexOf(ends[0])).as(d).isNotNegative().isLessThan(order.indexOf(ends[1]));
        });
    }
}
