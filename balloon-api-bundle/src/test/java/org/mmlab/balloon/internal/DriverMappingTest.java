package org.mmlab.balloon.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.internal.Migrate;
import org.mmlab.mm.internal.MmCheck;

/**
 * A 2012 device whose mapping is its driver's own pointer, as the reviewed v7 virtio patch kept it
 * (seed 003): pages take what the pointer holds when they join the balloon, the driver allocates,
 * initialises and frees the mapping, and deflation clears page->mapping.
 */
class DriverMappingTest {
    private final Guest g = new Guest(MigrationContract.BALLOON_2012);
    private final AtomicReference<AddressSpace> balloonMapping = new AtomicReference<>();
    private final Guest.Host host = new Guest.Host();

    private BalloonDevInfo device() {
        host.driver = g.driver;
        return g.driver.balloonDevinfoInit("balloon v7", host, true, balloonMapping::get);
    }

    @Test
    void pagesTakeTheDriversMappingAndMigrateOnceItIsInitialised() {
        BalloonDevInfo b = device();
        AddressSpace m = g.driver.balloonMappingKmalloc();
        balloonMapping.set(m);
        g.driver.balloonMappingInit(b, m);
        int pfn = g.inflate(b, 1).get(0);

        assertThat(b.mappingOwnedByDriver()).isTrue();
        assertThat(g.own2012().pageMapping(pfn)).isSameAs(m);
        assertThat(migrate(pfn)).isZero();
        assertThat(host.migrations).hasSize(1);
        int newPfn = host.migrations.get(0)[0];
        assertThat(g.own2012().pageMapping(newPfn)).as("the new page joins with the driver's pointer").isSameAs(m);
        assertClean();

        assertThat(g.driver.balloonPageDequeue(b)).isEqualTo(newPfn);
        assertThat(g.own2012().pageMapping(newPfn)).as("deflation clears page->mapping").isNull();
        g.core.putPage(newPfn);
        g.driver.balloonDevinfoRemove(b);
        g.driver.balloonMappingKfree(m);
        assertClean();
    }

    @Test
    void aPageInflatedWhileThePointerIsNullIsNotMovable() {
        BalloonDevInfo b = device();
        int pfn = g.inflate(b, 1).get(0);

        assertThat(g.own2012().pageMapping(pfn)).isNull();
        assertThat(g.own2012().balloonPageMovable(pfn)).isFalse();
        assertThat(migrate(pfn)).as("nothing isolated, nothing failed").isZero();
        assertThat(host.migrations).isEmpty();
        assertClean();
    }

    @Test
    void theDriversOwnMappingBelongsToThe2012Contract() {
        Guest g2016 = new Guest(MigrationContract.NON_LRU_2016);
        assertThatThrownBy(() -> g2016.driver.balloonDevinfoInit("x", host, true, balloonMapping::get))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("2012");
        assertThatThrownBy(g2016.driver::balloonMappingKmalloc).hasMessageContaining("2012");
        assertThat(g2016.driver.devices()).isEmpty();
        assertThatThrownBy(() -> g.driver.balloonDevinfoInit("x", null, true, balloonMapping::get))
                .isInstanceOf(IllegalArgumentException.class);
        BalloonDevInfo plain = g.device("plain", new Guest.Host(), true);
        assertThatThrownBy(() -> g.driver.balloonMappingInit(plain, g.driver.balloonMappingKmalloc()))
                .hasMessageContaining("nothing to initialise");
    }

    /** Migrates one page to any free page; returns the pages not migrated. */
    private int migrate(int pfn) {
        Migrate migrate = g.core.guest().migrate();
        int head = g.core.listHeadAlloc();
        if (migrate.isolateMovablePage(pfn, 0)) {
            g.core.listAdd(pfn, head);
        }
        int failed = migrate.migratePages(head, (src, order) -> g.core.allocPages(0, 0),
                (p, order) -> g.core.freePages(p, order), MigrateMode.SYNC, Migrate.Reason.COMPACTION, null);
        migrate.putbackMovablePages(head);
        g.core.listHeadFree(head);
        return failed;
    }

    private void assertClean() {
        List<String> problems = new ArrayList<>();
        new BalloonCheck(g.balloon).check(l -> { }, problems::add);
        assertThat(problems).isEmpty();
        CheckResult r = MmCheck.run(g.core.guest(), null);
        assertThat(r.ok()).as(r.text()).isTrue();
    }
}
