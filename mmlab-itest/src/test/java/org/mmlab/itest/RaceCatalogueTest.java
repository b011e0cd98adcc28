package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.junit5.context.BundleContextExtension;

/**
 * Races 1 and 13 of the catalogue in the running lab, through the lab: commands a user types. Race 1's
 * scripted schedule runs 20 times under the setup it fails under, where every run must produce the exact
 * report with the script's window open, and 20 times under each fix, where every run must be clean because
 * the fix closed the window where the catalogue says: the module cannot be gone before the driver's
 * callback returns. Race 13's fails under each policy, survives under the 2016 design and closes under the
 * 2025 one. The admin thread really stops and uninstalls virtio-bundle; the lab installs it again after
 * each run.
 */
@ExtendWith(BundleContextExtension.class)
class RaceCatalogueTest {
    private static final int RUNS = 20;
    /** Race 1's window: the module is gone before migratepage returns. */
    private static final String GONE_FIRST = "admin@module.gone#1 < compaction@call.return:b_dev_info.migratepage#1";
    /** Race 13's report. */
    private static final String MAPPING_FREED = "BUG: KASAN: slab-use-after-free in isolate_migratepages_block";

    @RegisterExtension
    final RaceTestSetup gogo = new RaceTestSetup();

    @InjectBundleContext
    BundleContext context;

    @AfterEach
    void virtioIsInstalledAndStartedAgain() {
        assertThat(Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().equals("virtio-bundle")))
                .as("virtio-bundle installed and started again").singleElement()
                .extracting(Bundle::getState).isEqualTo(Bundle.ACTIVE);
    }

    @Test
    void unloadDuringMigrationIsAUseAfterUnloadOnEveryRunWithoutProtection() throws Exception {
        String out = gogo.run("lab:race unload-during-migration --policy none --runs " + RUNS);

        RaceOutput.assertReproduced(out, RUNS,
                "(?m)^  BUG: KASAN: use-after-unload in b_dev_info->migratepage at return$");
        RaceOutput.assertFailsAsTheCatalogueSays(out);
        assertThat(out).contains("replay: lab:replay unload-during-migration '");
    }

    @Test
    void isolatedPagesPinningTheModuleHoldTheStopUntilTheCallbackReturned() throws Exception {
        String out = gogo.run("lab:race unload-during-migration --policy module-ref --runs " + RUNS);

        RaceOutput.assertClosesAt(out, RUNS, GONE_FIRST);
    }

    @Test
    void theCoreDrainingTheStoppingDriverHoldsTheStopUntilTheCallbackReturned() throws Exception {
        String out = gogo.run("lab:race unload-during-migration --policy osgi-drain --runs " + RUNS);

        RaceOutput.assertClosesAt(out, RUNS, GONE_FIRST);
    }

    /** Under 2025 the admin starts once compaction is inside the callback: there is no driver bookkeeping. */
    @Test
    void underTheMainlineDesignTheRemoveWaitsForThePageMigrationHolds() throws Exception {
        String out = gogo.run("lab:race unload-during-migration --contract 2025 --policy none --runs " + RUNS);

        RaceOutput.assertClosesAt(out, RUNS, GONE_FIRST);
        assertThat(out).contains("admin spins at").doesNotContain("compaction@balloon.migrated");
    }

    @Test
    void v38sLeakPathSkipsTheLockedNewPageSoTheRemoveWaitsForIt() throws Exception {
        String out = gogo.run("lab:race unload-during-migration --variant v3.8-leak --runs " + RUNS);

        RaceOutput.assertClosesAt(out, RUNS, GONE_FIRST);
    }

    @Test
    void aFailingRunReplaysFromItsTraceAndShrinksToOneSwitch() throws Exception {
        String out = gogo.run("lab:race unload-during-migration --policy none");
        Matcher replay = Pattern.compile("replay: lab:replay unload-during-migration '([^']+)'").matcher(out);
        assertThat(replay.find()).as(out).isTrue();
        String trace = replay.group(1);

        assertThat(gogo.run("lab:replay unload-during-migration '" + trace + "' --policy none"))
                .contains("reproduced in 1 of 1 runs");
        String shrunk = gogo.run("lab:shrink unload-during-migration '" + trace + "' --policy none");
        assertThat(shrunk).contains("shrunk to 1 switches")
                .contains("script: admin@start#1 < compaction@call.return:b_dev_info.migratepage#1");
    }

    /** Race 13: v3.8's lockless scan loads page->mapping, the remove drains and frees the mapping, the scan reads it. */
    @Test
    void aMappingFreedBetweenTheScansTwoLoadsIsAUseAfterFreeOnEveryRun() throws Exception {
        String out = gogo.run("lab:race mapping-freed-under-scan --runs " + RUNS);

        RaceOutput.assertReproduced(out, RUNS, "(?m)^  " + Pattern.quote(MAPPING_FREED) + "$");
        RaceOutput.assertFailsAsTheCatalogueSays(out);
        assertThat(out).contains("replay: lab:replay mapping-freed-under-scan '");
    }

    /** The scan holds no page and no call into the module: neither policy waits for it. */
    @Test
    void noModulePolicyKeepsTheMappingAliveForTheScan() throws Exception {
        for (String policy : new String[] {"module-ref", "osgi-drain"}) {
            String out = gogo.run("lab:race 13 --policy " + policy + " --runs 5");

            RaceOutput.assertReproduced(out, 5, "(?m)^  " + Pattern.quote(MAPPING_FREED) + "$");
        }
    }

    @Test
    void the2016DesignReadsTheMappingOnlyUnderThePageLockAndSurvivesTheFree() throws Exception {
        RaceOutput.assertSurvives(gogo.run("lab:race 13 --contract 2016 --runs " + RUNS), RUNS);
    }

    @Test
    void the2025DesignHasNoMappingForTheScanToLoad() throws Exception {
        RaceOutput.assertClosesAt(gogo.run("lab:race 13 --contract 2025 --runs " + RUNS), RUNS,
                "admin@mapping.free#1 < compaction@isolate.get_page#1");
    }

    @Test
    void badArgumentsAreRefusedWithWhatIsAllowed() {
        assertThatThrownBy(() -> gogo.run("lab:race no-such-race")).hasMessageContaining("no race 'no-such-race'");
        assertThatThrownBy(() -> gogo.run("lab:race 1 --policy sometimes")).hasMessageContaining(
                "use none, module-ref or osgi-drain");
        assertThatThrownBy(() -> gogo.run("lab:policy drain")).hasMessageContaining("no module policy 'drain': the mainline"
                + " design is the 2025 contract with policy none (the driver drains in its remove); use none,"
                + " module-ref or osgi-drain");
        assertThatThrownBy(() -> gogo.run("lab:race 1 --runs 0")).hasMessageContaining("--runs 0 is out of range: give 1 to");
        assertThatThrownBy(() -> gogo.run("lab:replay 1 'a*x'")).hasMessageContaining("NAME*COUNT");
        assertThatThrownBy(() -> gogo.run("lab:replay 1 ''")).hasMessageContaining("an empty trace: give the"
                + " thread chosen at each decision, e.g. 'compaction*3 admin'");
        assertThatThrownBy(() -> gogo.run("lab:shrink 1 'compaction*15 amdin'")).hasMessageContaining("the trace"
                + " names 'amdin', which is no thread of race unload-during-migration: its threads are compaction,"
                + " admin");
    }
}
