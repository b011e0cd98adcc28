package org.mmlab.lab.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    @Override
    public String name() {
        return "lockless-scan-false-positive";
    }

    @Override
    public String seed() {
        return "000";
    }

    @Override
    public String quote() {
        return "iii. an isolation attempt must re-test the page under its lock, as the lockless scan's positive"
                + " may be false";
    }

    @Override
    public Map<String, String> variants() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put(NO_RETEST, "isolation trusts the lockless scan (mm:debug retest off)");
        v.put(RETEST, "rule iii: isolation re-tests the mapping and the count under the page lock");
        return v;
    }

    @Override
    public Setup fails() {
        return new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, NO_RETEST);
    }

    @Override
    public List<Pass> passes() {
        return List.of(Pass.survives(new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, RETEST)));
    }

    @Override
    public String conditions() {
        return "the balloon is the lab's own one-page lab-balloon; the Oops kills the compaction thread";
    }

    @Override
    public String script() {
        return "compaction@start < balloon@start, balloon@balloon.put_page < compaction@isolate.get_page,"
                + " compaction@isolate.trylock_page < balloon@lab.tell_host";
    }

    @Override
    public String report() {
        return "BUG: kernel NULL pointer dereference";
    }

    @Override
    void applyVariant(LabContext lab, Setup setup) throws Exception {
        lab.debug(Switch.RETEST, setup.variant().equals(RETEST));
    }
}
