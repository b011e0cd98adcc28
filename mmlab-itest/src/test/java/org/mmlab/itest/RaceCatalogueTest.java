package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The race catalogue in the running lab, through the lab: commands a user types. Each race runs its
 * scripted schedule 20 times under the policy it fails under, where every run must produce the exact
 * report, and 20 times under each policy that fixes it, where every run must be clean. The admin
 * thread really stops and uninstalls virtio-bundle; the lab installs it again after each run.
 */
@ExtendWith(ServiceExtension.class)
class RaceCatalogueTest {
    private static final int RUNS = 20;

    @InjectService(timeout = 15_000)
    static CommandProcessor processor;

    GogoSession gogo;

    @BeforeEach
    void openAShell() {
        gogo = new GogoSession(processor);
    }

    @AfterEach
    void theLabIsBackAsAUserExpectsIt() throws Exception {
        try {
            assertThat(gogo.run("lab:policy").trim()).isEqualTo("drain");
            assertThat(gogo.run("virtio:devices")).as("virtio-bundle installed and started again").isNotNull();
            assertThat(MmOutput.lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
        } finally {
            gogo.close();
        }
    }

    @Test
    void unloadDuringMigrationIsAUseAfterUnloadOnEveryRunWithoutProtection() throws Exception {
        String out = gogo.run("lab:race unload-during-migration --policy none --runs " + RUNS);

        RaceOutput.assertReproduced(out, RUNS,
                "(?m)^  BUG: KASAN: use-after-unload in b_dev_info->migratepage at return$");
        assertThat(out).contains("replay: lab:replay unload-during-migration '");
    }

    @Test
    void theSameScheduleIsCleanWhenIsolatedPagesPinTheModule() throws Exception {
        String out = gogo.run("lab:race unload-during-migration --policy module-ref --runs " + RUNS);

        RaceOutput.assertClean(out, RUNS);
    }

    @Test
    void theSameScheduleIsCleanWhenTheCoreDrainsTheStoppingDriver() throws Exception {
        String out = gogo.run("lab:race unload-during-migration --policy osgi-drain --runs " + RUNS);

        RaceOutput.assertClean(out, RUNS);
    }

    @Test
    void theSameScheduleIsCleanUnderTheMainlineDesign() throws Exception {
        String out = gogo.run("lab:race unload-during-migration --contract 2025 --policy drain --runs " + RUNS);

        RaceOutput.assertClean(out, RUNS);
    }

    @Test
    void v38sLeakPathSkipsTheLockedNewPageSoTheWindowNeverOpens() throws Exception {
        String out = gogo.run("lab:race unload-during-migration --variant v3.8-leak --runs " + RUNS);

        RaceOutput.assertClean(out, RUNS);
        assertThat(out).contains("window closed in " + RUNS);
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

    @Test
    void badArgumentsAreRefusedWithWhatIsAllowed() {
        assertThatThrownBy(() -> gogo.run("lab:race no-such-race")).hasMessageContaining("no race 'no-such-race'");
        assertThatThrownBy(() -> gogo.run("lab:race 1 --policy sometimes")).hasMessageContaining(
                "use none, module-ref, drain or osgi-drain");
        assertThatThrownBy(() -> gogo.run("lab:race 1 --runs 0")).hasMessageContaining("--runs 0 is out of range: give 1 to");
        assertThatThrownBy(() -> gogo.run("lab:replay 1 'a*x'")).hasMessageContaining("NAME*COUNT");
    }
}
