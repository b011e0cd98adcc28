package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.admin.GuestCheck;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * What every race test shares, registered as a field ({@code @RegisterExtension final RaceTestSetup lab =
 * new RaceTestSetup();}): the shell session its lab: commands run in, opened before each test; and after
 * each test, once the test's own {@code @AfterEach} checks ran, the lab back as a user expects it: module
 * policy none and mm:check OK.
 */
final class RaceTestSetup implements BeforeEachCallback, AfterEachCallback {
    private GogoSession gogo;

    /** Runs a command of the shell, as a user types it; returns what it printed; a failing command throws. */
    String run(String command) throws Exception {
        return gogo.run(command);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        gogo = new GogoSession(Services.get(CommandProcessor.class));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            assertThat(Services.get(MmLab.class).modulePolicy()).as("module policy").isEqualTo(ModulePolicy.NONE);
            CheckResult check = Services.get(GuestCheck.class).check();
            assertThat(check.verdict()).as(check.text()).isEqualTo("mm:check: OK");
        } finally {
            gogo.close();
        }
    }
}
