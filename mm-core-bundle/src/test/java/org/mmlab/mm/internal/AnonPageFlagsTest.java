package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.mm.internal.PageAllocInvariantTest.assertOk;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.admin.CheckResult;

/**
 * PG_dirty and PG_anon_exclusive of anonymous pages, as 6.18 sets them: a write fault leaves the page
 * exclusive and the dirty bit in the PTE; migration moves the PTE's dirty bit to the folio, carries it
 * to the new page (folio_migrate_flags()) and the exclusivity through the migration entry.
 */
class AnonPageFlagsTest {
    private static final long KPF_OWNER_2 = 1L << Kpageflags.KPF_OWNER_2;
    private static final long KPF_DIRTY = 1L << Kpageflags.KPF_DIRTY;
    private static final long KPF_ANON = 1L << Kpageflags.KPF_ANON;

    private static Workload stepped(GuestMemory g, long seed) {
        Workload w = new Workload(g);
        w.prepare(seed, 8, 512);
        w.step(3_000);
        return w;
    }

    @Test
    void aFaultedPageIsAnonExclusiveAndNotDirty() {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = stepped(g, 21);

        List<LruMigrationTest.Mapped> mapped = LruMigrationTest.mapped(w);

        assertThat(mapped).isNotEmpty();
        for (LruMigrationTest.Mapped m : mapped) {
            assertThat(g.testPageFlag(m.pfn(), PageFlags.PG_anon_exclusive)).as("pfn %#x", m.pfn()).isTrue();
            assertThat(g.testPageFlag(m.pfn(), PageFlags.PG_dirty)).as("pfn %#x", m.pfn()).isFalse();
            // page-types -r shows it as anon_exclusive: KPF_ANON with KPF_OWNER_2
            assertThat(Kpageflags.flagsOf(g, m.pfn()) & (KPF_ANON | KPF_OWNER_2 | KPF_DIRTY))
                    .isEqualTo(KPF_ANON | KPF_OWNER_2);
        }
        assertOk(g, w);
    }

    @Test
    void aMigratedPageIsDirtyAndStillExclusiveAndTheOldOneIsFreedClean() {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = stepped(g, 22);
        LruMigrationTest.Mapped m = LruMigrationTest.mapped(w).get(0);
        assertThat(g.migrate.isolateLruPage(m.pfn())).isTrue();
        MigrationList list = new MigrationList(g, m.pfn());

        assertThat(list.migrate(MigrateMode.SYNC)).isZero();

        int dst = list.lastTarget();
        assertThat(m.p().pte(m.vpage())).isEqualTo(dst);
        assertThat(g.testPageFlag(dst, PageFlags.PG_dirty)).isTrue();
        assertThat(g.testPageFlag(dst, PageFlags.PG_anon_exclusive)).isTrue();
        assertThat(Kpageflags.flagsOf(g, dst) & (KPF_OWNER_2 | KPF_DIRTY)).isEqualTo(KPF_OWNER_2 | KPF_DIRTY);
        assertThat(g.pageCount(m.pfn())).isZero();
        assertThat(g.map.flagsWord(m.pfn()) & PageFlags.PAGE_FLAGS_CHECK_AT_PREP).isZero();
        assertOk(g, w);
    }

    @Test
    void aPageWhoseMigrationFailedIsMappedExclusiveAgainAndKeepsTheDirtyBitItGot() {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = stepped(g, 23);
        LruMigrationTest.Mapped m = LruMigrationTest.mapped(w).get(0);
        assertThat(g.migrate.isolateLruPage(m.pfn())).isTrue();
        g.getPage(m.pfn()); // a speculative reference: folio_migrate_mapping() says -EAGAIN
        MigrationList list = new MigrationList(g, m.pfn());

        assertThat(list.migrate(MigrateMode.SYNC)).isEqualTo(1);

        assertThat(m.p().pte(m.vpage())).isEqualTo(m.pfn());
        assertThat(g.testPageFlag(m.pfn(), PageFlags.PG_anon_exclusive)).isTrue();
        assertThat(g.testPageFlag(m.pfn(), PageFlags.PG_dirty)).isTrue();
        g.putPage(m.pfn());
        list.putback();
        assertOk(g, w);
    }

    @Test
    void aMappedPageThatLostItsExclusivityFailsMmCheck() {
        GuestMemory g = PageAllocInvariantTest.guest();
        Workload w = stepped(g, 24);
        LruMigrationTest.Mapped m = LruMigrationTest.mapped(w).get(0);
        g.map.clearFlag(m.pfn(), PageFlags.PG_anon_exclusive);

        CheckResult r = MmCheck.run(g, w);

        assertThat(r.ok()).isFalse();
        assertThat(r.text()).contains(String.format("pfn %#x: not PageAnonExclusive", m.pfn()));
    }
}
