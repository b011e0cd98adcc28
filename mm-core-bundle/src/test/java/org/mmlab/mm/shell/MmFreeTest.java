package org.mmlab.mm.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.internal.GuestMemory;
import org.mmlab.mm.internal.MmCheck;
import org.mmlab.mm.internal.MmCore;
import org.mmlab.mm.internal.RunningGuest;

/** mm:free frees what mm:alloc handed out, and refuses any other page, saying whose it is, changing nothing. */
class MmFreeTest {
    private static final Pattern PFN = Pattern.compile("^pfn (0x[0-9a-f]+) order");

    private MmCore core;
    private RunningGuest running;
    private AllocCommands mm;

    @AfterEach
    void shutDown() {
        BootedCore.shutDown(core);
    }

    private void boot() throws ReflectiveOperationException {
        core = BootedCore.boot("256M");
        running = BootedCore.running(core);
        mm = BootedCore.allocCommands(running, core);
    }

    private String alloc(String order) {
        Matcher m = PFN.matcher(BootedCore.run(() -> mm.alloc(order)));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** The first PFN for which the test holds. */
    private int first(java.util.function.IntPredicate test) {
        GuestMemory g = core.guest();
        for (int pfn = 0; pfn < g.nrPages(); pfn++) {
            if (test.test(pfn)) {
                return pfn;
            }
        }
        throw new AssertionError("no such page");
    }

    private void assertRefusedAndNothingChanged(String pfn, String order, String... says) {
        GuestMemory g = core.guest();
        long free = g.freePages();
        assertThatThrownBy(() -> mm.free(pfn, order)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("\n").hasMessageContainingAll(says);
        assertThat(g.freePages()).isEqualTo(free);
        CheckResult r = MmCheck.run(g, core.workload());
        assertThat(r.verdict()).as(r.text()).isEqualTo("mm:check: OK");
    }

    @Test
    void aBlockMmAllocGaveIsFreedOnceWithItsOrder() throws Exception {
        boot();
        long free = core.guest().freePages();
        String pfn = alloc("3");

        assertRefusedAndNothingChanged(pfn, "0", "is the start of the order-3 block mm:alloc gave at pfn " + pfn,
                "free it with mm:free " + pfn + " 3");
        String inside = String.format("%#x", Integer.decode(pfn) + 5);
        assertRefusedAndNothingChanged(inside, "0", "is inside the order-3 block");

        assertThat(BootedCore.run(() -> mm.free(pfn, "3"))).isEqualTo("freed pfn " + pfn + " order 3\n");
        assertRefusedAndNothingChanged(pfn, "3", "is not mm:alloc's to free: it is free (on cpu 0's per-cpu list, the"
                + " order-3 block at pfn " + pfn + ")");
        core.guest().drainAllPages(); // an order-3 block goes to the per-cpu list first (v5.13)
        assertThat(core.guest().freePages()).isEqualTo(free);

        assertRefusedAndNothingChanged(pfn, "3", "is not mm:alloc's to free: it is free (in the free order-");
    }

    @Test
    void aPageAProcessMapsIsRefusedNamingTheProcess() throws Exception {
        boot();
        core.guest().compaction().kcompactd().stop();
        core.workload().fragment(1, 5);
        GuestMemory g = core.guest();
        int user = first(p -> g.testPageFlag(p, PageFlags.PG_lru));

        assertRefusedAndNothingChanged(String.format("%#x", user), "0", "is not mm:alloc's to free: it is a user page"
                + " mapped by pid ", "of the workload", "(mm:free frees only what mm:alloc handed out)");
        assertThat(g.pageCount(user)).isEqualTo(1);

        int slab = first(p -> g.pageType(p) == PageType.SLAB);
        assertRefusedAndNothingChanged(Integer.toString(slab), "0", "it is a slab page of the kernel");
        int table = first(p -> g.pageType(p) == PageType.TABLE);
        assertRefusedAndNothingChanged(Integer.toString(table), "0", "it is a page table");
    }

    @Test
    void reservedAndKernelPagesAreRefused() throws Exception {
        boot();
        assertRefusedAndNothingChanged("0", "0", "it is reserved at boot");
        int kernel = core.guest().allocPages(org.mmlab.mm.Gfp.GFP_KERNEL, 0);
        assertRefusedAndNothingChanged(Integer.toString(kernel), "0", "it is allocated by the kernel or a driver");
    }

    @Test
    void aBlockFromBeforeARebootIsNotTheNewGuestsToFree() throws Exception {
        boot();
        String pfn = alloc("0");
        BootedCore.shutDown(core);
        MmCore old = core;
        core = BootedCore.boot("256M"); // what mm:config does: a new guest, the same commands
        BootedCore.reboot(running, mm, old, core);

        assertRefusedAndNothingChanged(pfn, "0", "is not mm:alloc's to free: it is free");
    }
}
