package org.mmlab.balloon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.mm.MigrationContract;

/** A device whose driver stopped without removing it fails mm:check while it holds pages: they are lost. */
class OrphanCheckTest {

    @ParameterizedTest
    @EnumSource(MigrationContract.class)
    void anOrphanedDeviceHoldingPagesFailsTheCheckNamingItAndTheCount(MigrationContract contract) {
        Guest g = new Guest(contract);
        BalloonDevInfo b = g.device("planted orphan", new Guest.Host(), false);
        g.inflate(b, 3);
        assertThat(problems(g)).as("its driver still runs").isEmpty();

        g.balloon.orphanDevices(7); // the test driver (bundle 7) stopped without balloon_devinfo_remove()

        assertThat(problems(g)).containsExactly("planted orphan holds 3 pages (3 listed + 0 isolated) that no driver"
                + " will give back: its driver test-driver [7] stopped without removing it (orphaned)");
    }

    @ParameterizedTest
    @EnumSource(MigrationContract.class)
    void anOrphanedDeviceThatHoldsNothingLosesNothing(MigrationContract contract) {
        Guest g = new Guest(contract);
        BalloonDevInfo b = g.device("empty orphan", new Guest.Host(), false);
        g.inflate(b, 2);
        g.driver.balloonPageDequeue(b);
        g.driver.balloonPageDequeue(b);

        g.balloon.orphanDevices(7);

        assertThat(b.orphaned()).isTrue();
        assertThat(problems(g)).isEmpty();
    }

    private static List<String> problems(Guest g) {
        List<String> problems = new ArrayList<>();
        new BalloonCheck(g.balloon).check(l -> { }, problems::add);
        return problems;
    }
}
