package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Races 10 to 12, free page hinting's, in the running lab through lab:race: each fails on every run
 * under its failing variant with the script's window open and the exact report, and its fixed variant
 * sees the same window and survives it. Race 10 really uninstalls virtio-bundle (the lab installs it
 * again) under each module policy.
 */
class HintingRacesTest {
    private static final int RUNS = 5;
    /** Race 10's runs under each module policy. */
    private static final int POLICY_RUNS = 3;
    private static final String[] POLICIES = {"none", "module-ref", "osgi-drain"};

    @RegisterExtension
    final RaceTestSetup gogo = new RaceTestSetup();

    @Test
    void theAeratorWithoutItsShutdownWaitLetsTheDeviceGoWithItsBatchUnderEveryPolicy() throws Exception {
        for (String policy : POLICIES) {
            String out = gogo.run("lab:race hinting-device-unload --policy " + policy + " --runs " + POLICY_RUNS);

            RaceOutput.assertReproduced(out, POLICY_RUNS, "(?m)^  WARNING: CPU: 0 PID: \\d+ at mm/aeration.c"
                    + " aerator_shutdown: WARN_ON\\(!list_empty\\(&a_dev_info->batch\\)\\): 32768 pages in the batch"
                    + " of virtio-balloon 0$");
            // mm:check after each run: the batch's pages are on no free list
            assertThat(RaceOutput.count(out, "(?m)^  BUG: mmlab: page conservation broken after the run: ")).as(out)
                    .isEqualTo(POLICY_RUNS);
        }
    }

    @Test
    void theAeratorsRefcntWaitBringsEveryPageBackUnderEveryPolicy() throws Exception {
        for (String policy : POLICIES) {
            RaceOutput.assertSurvives(gogo.run("lab:race 10 --variant aerator-v1 --policy " + policy + " --runs "
                    + POLICY_RUNS), POLICY_RUNS);
        }
    }

    @Test
    void pageReportingsUnregisterWaitsForTheReportInFlightUnderEveryPolicy() throws Exception {
        for (String policy : POLICIES) {
            RaceOutput.assertSurvives(gogo.run("lab:race 10 --variant reporting-v5.7 --policy " + policy + " --runs "
                    + POLICY_RUNS), POLICY_RUNS);
        }
    }

    @Test
    void reportingPagesLeftOnTheFreeListsHandsTheHostAPageTheUserWrote() throws Exception {
        String out = gogo.run("lab:race reported-while-allocated --runs " + RUNS);

        RaceOutput.assertReproduced(out, RUNS, "(?m)^  BUG: mmlab: data loss: virtio-balloon host 0 \\(free page"
                + " reporting\\) discarded pfn 0x[0-9a-f]+ as a reported free page, but the guest uses it: page 0 of");
        RaceOutput.assertFailsAsTheCatalogueSays(out);
    }

    @Test
    void mainlineIsolatesTheReportedPagesSoTheUserGetsAnother() throws Exception {
        RaceOutput.assertSurvives(gogo.run("lab:race 11 --variant v5.7 --runs " + RUNS), RUNS);
    }

    @Test
    void aBoundaryLeftOnAnAllocatedBlockCorruptsTheFreeListAtTheNextDrain() throws Exception {
        String out = gogo.run("lab:race boundary-on-allocated-page --runs " + RUNS);

        RaceOutput.assertReproduced(out, RUNS, "(?m)^  list_add corruption\\. ");
        RaceOutput.assertFailsAsTheCatalogueSays(out);
    }

    @Test
    void theBoundaryMovedOffTheBlockFirstKeepsTheListWhole() throws Exception {
        RaceOutput.assertSurvives(gogo.run("lab:race 12 --variant v1 --runs " + RUNS), RUNS);
    }
}
