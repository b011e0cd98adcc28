package org.mmlab.lab.internal;

import java.util.List;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.DebugSwitches.Switch;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * Race 6 (seed 000, rule iii): compaction's lockless scan sees a balloon page (balloon_page_movable()),
 * and before it takes its reference the balloon releases the page: off the list, page->mapping NULL,
 * still the driver's while it tells its host. get_page_unless_zero() and trylock_page() succeed, and
 * only the re-test under the page lock sees that the page is no balloon page any more. Without it,
 * __isolate_balloon_page() reads page->mapping->private_data: a NULL pointer dereference.
 */
final class LocklessScanFalsePositive extends BalloonCoreRace {
    static final String NO_RETEST = "no-retest";
    static final String RETEST = "retest";

    LocklessScanFalsePositive() {
        super(new RaceMetadata("lockless-scan-false-positive", "000",
                "iii. an isolation attempt must re-test the page under its lock, as the lockless scan's positive"
                        + " may be false",
                RaceMetadata.variants(
                        NO_RETEST, "isolation trusts the lockless scan (mm:debug retest off)",
                        RETEST, "rule iii: isolation re-tests the mapping and the count under the page lock"),
                new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, NO_RETEST),
                List.of(Pass.survives(new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, RETEST))),
                THREADS,
                "the balloon is the lab's own one-page lab-balloon; the Oops kills the compaction thread",
                "compaction@start < balloon@start, balloon@balloon.put_page < compaction@isolate.get_page,"
                        + " compaction@isolate.trylock_page < balloon@lab.tell_host",
                "BUG: kernel NULL pointer dereference"));
    }

    @Override
    void applyVariant(LabContext lab, Setup setup) throws Exception {
        lab.debug(Switch.RETEST, setup.variant().equals(RETEST));
    }
}
