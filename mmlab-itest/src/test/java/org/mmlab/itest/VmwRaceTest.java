package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Race 9, from vmw_balloon's history (kernel commit 4ba5a8a7faa6): compaction migrates a page of the
 * VMware balloon, and the hypervisor's target drops between the UNLOCK of the old page and the LOCK of
 * the new one. With v5.1 to v6.18-rc2's driver (-EBUSY) the 2025 core puts back a page that is no
 * device's: WARN_ON_ONCE(!b_dev_info), on every one of 20 runs, the window open. The fix (0), the 2026
 * series (-ENOENT) and the 2016 core (the same old driver) see the same window and survive it.
 */
@ExtendWith(ServiceExtension.class)
class VmwRaceTest {
    private static final int RUNS = 20;

    @InjectService(timeout = 15_000)
    CommandProcessor processor;

    GogoSession gogo;

    @BeforeEach
    void openAShell() {
        gogo = new GogoSession(processor);
    }

    @AfterEach
    void theLabIsBackAsAUserExpectsIt() throws Exception {
        try {
            assertThat(gogo.run("balloon:list")).doesNotContain("vmw-balloon");
            assertThat(MmOutput.lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
        } finally {
            gogo.close();
        }
    }

    @Test
    void theOldDriversEbusyLeavesThe2025CoreAPageOfNoDeviceToPutBackOnEveryRun() throws Exception {
        String out = gogo.run("lab:race vmw-deflate-during-migration --runs " + RUNS);

        RaceOutput.assertReproduced(out, RUNS, "(?m)^  WARNING: CPU: 0 at mm/balloon.c balloon_page_putback:"
                + " WARN_ON_ONCE\\(!b_dev_info\\) pfn 0x[0-9a-f]+$");
        RaceOutput.assertFailsAsTheCatalogueSays(out);
    }

    @Test
    void theFixAnsweringZeroSurvivesTheWindow() throws Exception {
        RaceOutput.assertSurvives(gogo.run("lab:race 9 --variant success --runs " + RUNS), RUNS);
    }

    @Test
    void theBalloonCoreDeflatingOnEnoentSurvivesTheWindow() throws Exception {
        RaceOutput.assertSurvives(gogo.run("lab:race 9 --variant enoent --runs " + RUNS), RUNS);
    }

    @Test
    void the2016CoreFreesThePageTheOldDriverReleasedAndSurvivesTheWindow() throws Exception {
        RaceOutput.assertSurvives(gogo.run("lab:race 9 --contract 2016 --runs " + RUNS), RUNS);
    }
}
