package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.admin.GuestConfig;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Races 4 and 5 of the catalogue, the balloon mapping's lifetime in the reviewed v7 virtio patch (seed
 * 003), through the lab: commands. Each run really creates virtio device 1's factory configuration, and
 * Configuration Admin's thread probes it under the script's control; the lab puts device 0, the contract
 * and the checkers back after each run. The failing variant gives the exact report on every one of 20
 * runs, each fixing variant is clean on every one of 20.
 */
@ExtendWith(ServiceExtension.class)
class MappingLifetimeRaceTest {
    private static final int RUNS = 20;

    @RegisterExtension
    final RaceTestSetup gogo = new RaceTestSetup();

    @InjectService(timeout = 15_000)
    GuestConfig config;

    @InjectService(cardinality = 0)
    ServiceAware<Balloons> balloons;

    @InjectService(timeout = 15_000)
    ConfigurationAdmin cm;

    @AfterEach
    void device1IsGoneAndDevice0HasTheInfrastructuresMapping() throws Exception {
        assertThat(config.running().orElseThrow().migrationContract()).isEqualTo(MigrationContract.MOVABLE_OPS_2025);
        assertThat(balloons.waitForService(15_000).devices()).noneMatch(b -> b.name().equals("virtio-balloon 1"))
                .noneMatch(BalloonDevInfo::mappingOwnedByDriver);
    }

    @Test
    void aFreedMappingLeftInTheGlobalIsAUseAfterFreeOnEveryRun() throws Exception {
        String out = gogo.run("lab:race freed-mapping-not-cleared --variant v7 --runs " + RUNS);

        assertReproduced(out, "freed-mapping-not-cleared",
                "BUG: KASAN: slab-use-after-free in isolate_migratepages_block");
        RaceOutput.assertFailsAsTheCatalogueSays(out);
    }

    @Test
    void withAQuarantineKasanCatchesTheFreedObjectInsteadOfTheReusedOne() throws Exception {
        String out = gogo.run("lab:race freed-mapping-not-cleared --variant v7-quarantine --runs " + RUNS);

        assertReproduced(out, "freed-mapping-not-cleared",
                "BUG: KASAN: slab-use-after-free in isolate_migratepages_block");
    }

    @Test
    void clearingThePointerAfterKfreeIsCleanOnEveryRun() throws Exception {
        assertClean(gogo.run("lab:race freed-mapping-not-cleared --variant v7-clear --runs " + RUNS));
    }

    @Test
    void v38sPerDeviceMappingIsCleanOnEveryRun() throws Exception {
        assertClean(gogo.run("lab:race freed-mapping-not-cleared --variant v3.8 --runs " + RUNS));
    }

    @Test
    void aMappingPublishedBeforeItIsInitialisedIsAnUninitValueOnEveryRun() throws Exception {
        String out = gogo.run("lab:race mapping-used-before-init --variant v7 --runs " + RUNS);

        assertReproduced(out, "mapping-used-before-init", "BUG: KMSAN: uninit-value in isolate_migratepages_block");
        RaceOutput.assertFailsAsTheCatalogueSays(out);
    }

    @Test
    void initialisingTheMappingBeforePublishingItIsCleanOnEveryRun() throws Exception {
        assertClean(gogo.run("lab:race mapping-used-before-init --variant v3.8 --runs " + RUNS));
    }

    /**
     * A plain configuration holding device 1's PID, as FileInstall's write-back made of device 1's configuration
     * when the reset had deleted it before Configuration Admin delivered its creation (see mmlab.bndrun): the
     * race's factory configuration "1" would be that one and probe nothing. The run fails at once and says why,
     * where it waited 15 s and said it was clean with its window closed.
     */
    @Test
    void aPlainConfigurationInDevice1sPlaceFailsTheRunAndSaysWhy() throws Exception {
        String pid = VirtioBalloons.FACTORY_PID + "~1";
        cm.getConfiguration(pid, "?"); // made empty, as FileInstall's write-back did
        try {
            String out = gogo.run("lab:race mapping-used-before-init --variant v7 --runs 1");

            assertThat(out).containsPattern("(?m)^run 1 \\(scripted, \\d+ decisions\\): FAILED; window closed at ")
                    .contains("configuration org.mmlab.virtio.balloon~1 is not a factory configuration of"
                            + " org.mmlab.virtio.balloon, so it probes no device 1: delete it")
                    .contains("reproduced in 0 of 1 runs").contains("NOT as lab:races says");
        } finally {
            cm.getConfiguration(pid, "?").delete(); // gone, also where the run took it for device 1's and deleted it
        }
    }

    @Test
    void badVariantsAndContractsAreRefusedWithWhatIsAllowed() throws Exception {
        assertThatThrownBy(() -> gogo.run("lab:race freed-mapping-not-cleared --variant v8"))
                .hasMessageContaining("has no variant 'v8'").hasMessageContaining("v7, v7-quarantine, v7-clear, v3.8");
        assertThatThrownBy(() -> gogo.run("lab:race mapping-used-before-init --variant v7-clear"))
                .hasMessageContaining("use v7, v3.8");
        assertThatThrownBy(() -> gogo.run("lab:race mapping-used-before-init --contract 2025"))
                .hasMessageContaining("2012 contract only");
        assertThat(gogo.run("lab:races")).contains("freed-mapping-not-cleared (seed 003)")
                .contains("\"Can balloon_mapping be dereferenced at this point? Then what happens?\"");
    }

    @Test
    void kasansQuarantineIsSizedWithMmDebugAndABadSizeChangesNothing() throws Exception {
        assertThat(gogo.run("mm:debug kasan-quarantine 3")).contains("kasan      on (quarantine 3)");
        assertThatThrownBy(() -> gogo.run("mm:debug kasan-quarantine many")).hasMessageContaining("is not a whole number: give 0 to");
        assertThatThrownBy(() -> gogo.run("mm:debug kasan-quarantine 5000")).hasMessageContaining("0 (reuse at once)");
        assertThat(gogo.run("mm:debug kasan-quarantine 0")).contains("kasan      on (quarantine 0)");
    }

    private static void assertReproduced(String out, String race, String report) {
        RaceOutput.assertReproduced(out, RUNS, "(?m)^  " + Pattern.quote(report) + "$");
        assertThat(out).contains("replay: lab:replay " + race + " '");
    }

    /** Each fix lets the script's order happen and survives it. */
    private static void assertClean(String out) {
        RaceOutput.assertSurvives(out, RUNS);
    }
}
