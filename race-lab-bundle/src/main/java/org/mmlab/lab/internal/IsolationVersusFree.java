package org.mmlab.lab.internal;

import java.util.List;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.DebugSwitches.Switch;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * Race 7 (seed 001, Babka on the mobile-page patch): compaction's lockless scan sees a movable balloon
 * page, and before it takes its reference the driver releases it and the last put_page() frees it.
 * get_page_unless_zero() sees the count at 0 and leaves the page alone; a plain get_page() revives a
 * page the allocator already holds, which CONFIG_DEBUG_VM stops with VM_BUG_ON_PAGE.
 */
final class IsolationVersusFree extends BalloonCoreRace {
    static final String GET_PAGE = "get_page";
    static final String UNLESS_ZERO = "get_page_unless_zero";

    IsolationVersusFree() {
        super(new RaceMetadata("isolation-vs-free", "001",
                "get_page_unless_zero() then trylock_page(), and re-check under the lock",
                RaceMetadata.variants(
                        GET_PAGE, "isolation takes its reference with get_page() (mm:debug unlesszero off)",
                        UNLESS_ZERO, "seed 001: get_page_unless_zero(), which fails on a page whose count reached 0"),
                new Setup(MigrationContract.NON_LRU_2016, ModulePolicy.NONE, GET_PAGE),
                List.of(Pass.survives(new Setup(MigrationContract.NON_LRU_2016, ModulePolicy.NONE, UNLESS_ZERO))),
                THREADS,
                "every contract isolates the same way (try --contract 2012 or 2025); the balloon is the lab's own"
                        + " one-page lab-balloon; the BUG kills the compaction thread",
                "compaction@start < balloon@start, balloon@lab.tell_host < compaction@isolate.get_page",
                "kernel BUG at include/linux/mm.h"));
    }

    @Override
    void applyVariant(LabContext lab, Setup setup) throws Exception {
        lab.debug(Switch.VM, true);
        lab.debug(Switch.UNLESSZERO, setup.variant().equals(UNLESS_ZERO));
    }
}
