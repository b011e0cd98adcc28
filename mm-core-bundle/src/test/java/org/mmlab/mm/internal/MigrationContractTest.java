package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.AddressSpaceOperations;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.PageType;

/** The contract is chosen per run by configuration, and using another contract's functions is refused. */
class MigrationContractTest {
    private static final AddressSpaceOperations AOPS = (mapping, newPfn, pfn, mode) -> 0;

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
    void a2012FunctionUnderThe2025ContractNamesBoth() {
        MovablePagesImpl mp = new MovablePagesImpl(FakeMovableDrivers.guest("2025"), "x", 1);

        assertThatThrownBy(() -> mp.balloonMappingAlloc(null, AOPS)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("balloon_mapping_alloc()").hasMessageContaining("2012 migration contract")
                .hasMessageContaining("migrationContract=2025");
        assertThatThrownBy(() -> mp.pageMovable(300)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2016").hasMessageContaining("2025");
    }

    @Test
    void a2025FunctionUnderThe2016ContractNamesBoth() {
        MovablePagesImpl mp = new MovablePagesImpl(FakeMovableDrivers.guest("2016"), "x", 1);

        assertThatThrownBy(() -> mp.setMovableOps(null, PageType.OFFLINE)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("set_movable_ops()").hasMessageContaining("2025 migration contract")
                .hasMessageContaining("migrationContract=2016");
        assertThatThrownBy(() -> mp.balloonPageSetMapping(300, null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2012").hasMessageContaining("2016");
    }

    @Test
    void a2016FunctionUnderThe2012ContractNamesBoth() {
        MovablePagesImpl mp = new MovablePagesImpl(FakeMovableDrivers.guest("2012"), "x", 1);

        assertThatThrownBy(() -> mp.allocAnonInode(AOPS, null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("alloc_anon_inode()").hasMessageContaining("2016 migration contract")
                .hasMessageContaining("migrationContract=2012");
        assertThatThrownBy(() -> mp.setPageMovableOps(300)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2025").hasMessageContaining("2012");
    }

    @Test
    void theRegistryNamesTheOwningBundleOfEachMappingWithItsPagesAndMigrateStatsPrintsIt() {
        GuestMemory g = FakeMovableDrivers.guest("2016");
        FakeMovableDrivers.Driver2016 d = new FakeMovableDrivers.Driver2016(g);
        int a = d.add();
        d.add();
        assertThat(g.migrate.isolateMovablePage(a, 0)).isTrue();

        assertThat(d.mp.owners()).singleElement().satisfies(o -> {
            assertThat(o.bundle()).isEqualTo("fake.driver2016");
            assertThat(o.contract()).isEqualTo(MigrationContract.NON_LRU_2016);
            assertThat(o.what()).startsWith("address_space 0x").endsWith("(a_ops Driver2016)");
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
        FakeMovableDrivers.Driver2025 d = new FakeMovableDrivers.Driver2025(g);

        d.mp.release();

        assertThat(g.dmesg().lines()).anyMatch(l -> l.contains("bundle fake.driver2025 [7] released the movable-page"
                + " service with registrations still in place"));
    }
}
