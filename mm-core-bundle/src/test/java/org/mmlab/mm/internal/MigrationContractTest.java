package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages2012;
import org.mmlab.mm.MovablePages2016;
import org.mmlab.mm.MovablePages2025;
import org.mmlab.mm.lab.V7BalloonMapping;
import org.mmlab.mm.testing.TestDriver.MovableOps2025;
import org.mmlab.mm.testing.TestDriver.NonLru2016;

/** The contract is chosen per run by configuration, and the movable-page service offers that contract's functions only. */
class MigrationContractTest {
    @Test
    void theDefaultContractIs2025AndEachOfTheThreeCanBeConfigured() {
        assertThat(MmConfig.parse("64M", "32M", "tag", true, true).migrationContract())
                .isEqualTo(MigrationContract.MOVABLE_OPS_2025);
        assertThat(MmConfig.parse("64M", "32M", "tag", true, true, "2012").migrationContract())
                .isEqualTo(MigrationContract.BALLOON_2012);
        assertThat(MmConfig.parse("64M", "32M", "tag", true, true, "2016").migrationContract())
                .isEqualTo(MigrationContract.NON_LRU_2016);
        assertThat(FakeMovableDrivers.guest("2016").migrate().contract()).isEqualTo(MigrationContract.NON_LRU_2016);
    }

    @Test
    void anyOtherContractValueIsRefusedSayingWhatIsAllowed() {
        assertThatThrownBy(() -> MmConfig.parse("64M", "32M", "tag", true, true, "2020"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("migrationContract=2020")
                .hasMessageContaining("2012").hasMessageContaining("2016").hasMessageContaining("2025");
    }

    @Test
    void eachContractsServiceHasOnlyItsOwnFunctionsAsAType() {
        assertThat(MovablePagesImpl.forBundle(FakeMovableDrivers.guest("2012"), "x", 1))
                .isInstanceOf(MovablePages2012.class).isInstanceOf(V7BalloonMapping.class)
                .isNotInstanceOf(MovablePages2016.class).isNotInstanceOf(MovablePages2025.class);
        assertThat(MovablePagesImpl.forBundle(FakeMovableDrivers.guest("2016"), "x", 1))
                .isInstanceOf(MovablePages2016.class).isNotInstanceOf(V7BalloonMapping.class)
                .isNotInstanceOf(MovablePages2012.class).isNotInstanceOf(MovablePages2025.class);
        assertThat(MovablePagesImpl.forBundle(FakeMovableDrivers.guest("2025"), "x", 1))
                .isInstanceOf(MovablePages2025.class).isNotInstanceOf(V7BalloonMapping.class)
                .isNotInstanceOf(MovablePages2012.class).isNotInstanceOf(MovablePages2016.class);
    }

    @Test
    void theRegistryNamesTheOwningBundleOfEachMappingWithItsPagesAndMigrateStatsPrintsIt() {
        GuestMemory g = FakeMovableDrivers.guest("2016");
        NonLru2016<MovablePages2016Impl> d = FakeMovableDrivers.driver2016(g);
        int a = d.add();
        d.add();
        assertThat(g.migrate.isolateMovablePage(a, 0)).isTrue();

        assertThat(d.mp.owners()).singleElement().satisfies(o -> {
            assertThat(o.bundle()).isEqualTo("fake.driver2016");
            assertThat(o.contract()).isEqualTo(MigrationContract.NON_LRU_2016);
            assertThat(o.what()).startsWith("address_space 0x").endsWith("(a_ops NonLru2016)");
            assertThat(o.pages()).isEqualTo(2);
            assertThat(o.isolated()).isEqualTo(1);
            assertThat(o.isolations()).isEqualTo(1);
        });
        String stats = MigrateStats.show(g);
        assertThat(stats).contains("migrationContract 2016", "pgmigrate_success 0", "isolated now: 0 LRU pages, 1"
                + " movable pages", "fake.driver2016");
        d.mp.iput(d.mapping);
        assertThat(d.mp.owners().get(0).released()).isTrue();
    }

    @Test
    void aBundleThatLetsGoWithRegistrationsLeftIsReportedInDmesg() {
        GuestMemory g = FakeMovableDrivers.guest("2025");
        MovableOps2025<MovablePages2025Impl> d = FakeMovableDrivers.driver2025(g);

        d.mp.release();

        assertThat(g.dmesg().lines()).anyMatch(l -> l.contains("bundle fake.driver2025 [7] released the movable-page"
                + " service with registrations still in place"));
    }
}
