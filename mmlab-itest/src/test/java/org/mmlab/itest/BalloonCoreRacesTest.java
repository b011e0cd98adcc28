package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmlab.mm.lab.DebugSwitches;
import org.mmlab.mm.lab.DebugSwitches.Switch;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Races 2, 6 and 7 of the catalogue, the balloon core's own, through the lab: commands. Each runs its
 * scripted schedule 20 times against the variant of the design it fails under (the exact report every
 * time, with the script's window open) and 20 times against each fixed variant: clean every time, and
 * with the window as the catalogue says (race 2's fixes close it: compaction never takes pages_lock;
 * those of races 6 and 7 let it open and survive). The balloon is the lab's own one-page lab-balloon.
 */
@ExtendWith(ServiceExtension.class)
class BalloonCoreRacesTest {
    private static final int RUNS = 20;
    /** Race 2's window: compaction takes pages_lock while the leak path holds it. */
    private static final String LOCKED = "compaction@balloon.lock#1 < balloon@balloon.unlock#1";

    @RegisterExtension
    final RaceTestSetup gogo = new RaceTestSetup();

    @InjectService(timeout = 15_000)
    DebugSwitches debug;

    @AfterEach
    void theDesignSwitchesAreTheMergedKernelsAgain() {
        DebugSwitches.Debug d = debug.state();
        assertThat(d.on(Switch.WEAKMEM)).as("weakmem").isFalse();
        assertThat(d.on(Switch.RETEST)).as("retest").isTrue();
        assertThat(d.on(Switch.UNLESSZERO)).as("unlesszero").isTrue();
    }

    @Test
    void v7sLeakPathWithoutABarrierCorruptsTheListOnAWeaklyOrderedCpu() throws Exception {
        String out = gogo.run("lab:race missing-wmb --variant v7 --runs " + RUNS);

        RaceOutput.assertReproduced(out, RUNS,
                "(?m)^  list_del corruption, \\p{XDigit}+->next is LIST_POISON1 \\(dead000000000100\\)$");
        RaceOutput.assertFailsAsTheCatalogueSays(out);
    }

    @Test
    void theBarrierTheReviewerAskedForClosesTheWindow() throws Exception {
        RaceOutput.assertClosesAt(gogo.run("lab:race missing-wmb --variant v7-wmb --runs " + RUNS), RUNS, LOCKED);
    }

    @Test
    void aCpuThatKeepsStoresInOrderNeverShowsIt() throws Exception {
        RaceOutput.assertClosesAt(gogo.run("lab:race missing-wmb --variant v7-tso --runs " + RUNS), RUNS, LOCKED);
    }

    @Test
    void v38sPageLockAroundBothStoresClosesItToo() throws Exception {
        RaceOutput.assertClosesAt(gogo.run("lab:race missing-wmb --variant v3.8 --runs " + RUNS), RUNS, LOCKED);
    }

    @Test
    void isolationThatTrustsTheLocklessScanDereferencesTheClearedMapping() throws Exception {
        String out = gogo.run("lab:race lockless-scan-false-positive --variant no-retest --runs " + RUNS);

        RaceOutput.assertReproduced(out, RUNS,
                "(?m)^  BUG: kernel NULL pointer dereference, address: 0000000000000008$");
        RaceOutput.assertFailsAsTheCatalogueSays(out);
    }

    @Test
    void ruleIiisRetestUnderThePageLockSeesThePageWasReleased() throws Exception {
        String out = gogo.run("lab:race lockless-scan-false-positive --variant retest --runs " + RUNS);

        RaceOutput.assertSurvives(out, RUNS);
    }

    @Test
    void aPlainGetPageRevivesAFreedPage() throws Exception {
        String out = gogo.run("lab:race isolation-vs-free --variant get_page --runs " + RUNS);

        RaceOutput.assertReproduced(out, RUNS, "(?m)^  kernel BUG at include/linux/mm.h:1386!$");
        RaceOutput.assertFailsAsTheCatalogueSays(out);
    }

    @Test
    void getPageUnlessZeroLeavesAFreedPageAlone() throws Exception {
        String out = gogo.run("lab:race isolation-vs-free --variant get_page_unless_zero --runs " + RUNS);

        RaceOutput.assertSurvives(out, RUNS);
    }

    @Test
    void anUnknownVariantIsRefusedWithTheRacesOwn() {
        assertThatThrownBy(() -> gogo.run("lab:race missing-wmb --variant sometimes")).hasMessageContaining(
                "race missing-wmb has no variant 'sometimes': use v7, v7-wmb, v7-tso, v3.8");
    }
}
