package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.admin.CheckResult;

/**
 * /proc/meminfo's Mlocked and AnonHugePages are NR_MLOCK and NR_ANON_THPS, counters kept where the pages
 * change, as the kernel's meminfo_proc_show() reads them; mm:check compares the counters with the pages.
 */
class MeminfoCountersTest {

    @Test
    void mlockedIsNrMlockAndFreeingAnMlockedPageTakesItAway() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.populate(g);
        int pfn = g.allocPages(Gfp.GFP_KERNEL, 0);
        HandBuiltGuest.mlock(g, pfn);

        assertThat(Meminfo.fields(g).get("Mlocked")).isEqualTo(4L);
        assertOk(g);

        // free_pages_prepare() clears PG_mlocked and takes the page out of NR_MLOCK: not a bad page
        g.freePages(pfn, 0);

        assertThat(g.map.testFlag(pfn, PageFlags.PG_mlocked)).isFalse();
        assertThat(g.alloc.freeChecks.badPageCount()).isZero();
        assertThat(Meminfo.fields(g).get("Mlocked")).isZero();
        assertOk(g);
    }

    @Test
    void anonHugePagesIsNrAnonThps() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.populate(g); // one anon THP

        assertThat(Meminfo.fields(g).get("AnonHugePages")).isEqualTo(2048L);
        assertOk(g);
    }

    @Test
    void mmCheckFindsNrMlockDriftingFromThePages() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.populate(g);
        int pfn = g.allocPages(Gfp.GFP_KERNEL, 0);
        g.map.setFlag(pfn, PageFlags.PG_mlocked); // without mlock_folio()'s count

        CheckResult r = MmCheck.run(g, null);

        assertThat(r.verdict()).startsWith("mm:check: FAIL nr_mlock: 1");
        assertThat(r.problems()).contains("nr_mlock: nr_mlock is 0, but 1 pages are in mlocked folios (PG_mlocked)");
    }

    @Test
    void mmCheckFindsNrAnonThpsDriftingFromThePages() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.populate(g);
        g.vmstat.nrAnonThps.addAndGet(-(1L << Mm.PAGEBLOCK_ORDER)); // as if the THP's rmap had never counted it

        CheckResult r = MmCheck.run(g, null);

        assertThat(r.verdict()).startsWith("mm:check: FAIL nr_anon_transparent_hugepages: 1");
        assertThat(r.problems()).contains("nr_anon_transparent_hugepages: nr_anon_transparent_hugepages is 0, but 512"
                + " pages are in mapped anon THPs (anon folios of order 9)");
    }

    private static void assertOk(GuestMemory g) {
        CheckResult r = MmCheck.run(g, null);
        assertThat(r.problems()).isEmpty();
        assertThat(r.verdict()).isEqualTo("mm:check: OK");
    }
}
