package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.testing.TestDriver.Balloon2012;

/**
 * KASAN and KMSAN for balloon mappings (2012): a mapping freed while a page still points to it, its
 * memory allocated again by someone else, a second free, and a mapping used before it was
 * initialised; the quarantine that delays reuse; and what migration does with the checker off.
 */
class MappingKasanTest {
    private final GuestMemory g = FakeMovableDrivers.guest("2012");

    private String dmesg() {
        return String.join("\n", g.dmesg.lines());
    }

    private static String tags(String report) {
        Matcher m = Pattern.compile("Pointer tag: \\[(\\p{XDigit}{2})\\], memory tag: \\[(\\p{XDigit}{2})\\]").matcher(report);
        assertThat(m.find()).as(report).isTrue();
        return m.group(1) + "/" + m.group(2);
    }

    @Test
    void aPageWhoseMappingWasFreedIsAUseAfterFreeWithTheAllocationAndFreeStacks() {
        Balloon2012<MovablePages2012Impl> d = FakeMovableDrivers.balloon2012(g);
        int pfn = d.add();
        d.mp.balloonMappingFree(d.mapping); // the v7 remove: kfree() while a page still points to it

        assertThat(g.migrate.isolateMovablePage(pfn, 0)).as("KASAN abandons the access").isFalse();

        String log = dmesg();
        assertThat(log).contains("BUG: KASAN: slab-use-after-free in balloon_page_isolate")
                .contains("Read of size 8 at addr ").contains("Allocated by task ").contains("Freed by task ")
                .contains("MappingKasanTest.aPageWhoseMappingWasFreedIsAUseAfterFreeWithTheAllocationAndFreeStacks")
                .contains("which belongs to the cache kmalloc-192 of size 192");
        assertThat(tags(log)).endsWith("/fe");
        assertThat(g.debug.taints()).contains("B");
        assertThat(g.map.refcount(pfn)).as("the isolation's reference was dropped again").isEqualTo(1);
    }

    @Test
    void memoryAnotherDriverGotAgainIsCaughtByThePointerTag() {
        Balloon2012<MovablePages2012Impl> d = FakeMovableDrivers.balloon2012(g);
        int pfn = d.add();
        int handle = d.mapping.handle();
        d.mp.balloonMappingFree(d.mapping);
        Balloon2012<MovablePages2012Impl> other = FakeMovableDrivers.balloon2012(g);
        assertThat(other.mapping.handle()).as("no quarantine: the freed memory is the next allocation's")
                .isEqualTo(handle);

        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isFalse();

        String log = dmesg();
        assertThat(log).contains("BUG: KASAN: slab-use-after-free in balloon_page_isolate");
        String[] t = tags(log).split("/");
        assertThat(t[1]).as("the memory carries the new object's tag").isNotEqualTo("fe").isNotEqualTo(t[0]);
        assertThat(other.isolateCalls()).as("mm did not take the page for the other driver's").isZero();
    }

    @Test
    void withTheCheckerOffMigrationTakesThePageForTheOtherDriversPage() {
        g.debug.kasan().setOn(false);
        Balloon2012<MovablePages2012Impl> d = FakeMovableDrivers.balloon2012(g);
        int pfn = d.add();
        d.mp.balloonMappingFree(d.mapping);
        Balloon2012<MovablePages2012Impl> other = FakeMovableDrivers.balloon2012(g);
        other.add(); // so its list can lose a page it never had

        assertThat(((BalloonCompaction2012) g.migrate.movable).balloonMapping(pfn, "test")).as("the stale page->mapping leads to the other mapping")
                .isSameAs(other.mapping);
        assertThat(dmesg()).doesNotContain("KASAN");
    }

    @Test
    void aQuarantineHoldsFreedMemoryBackUntilEnoughLaterFrees() {
        g.debug.kasan().setQuarantineSize(2);
        AddressSpace first = FakeMovableDrivers.balloon2012(g).mapping;
        Balloon2012<MovablePages2012Impl> keeper = FakeMovableDrivers.balloon2012(g);
        keeper.mp.balloonMappingFree(first);
        int fresh = FakeMovableDrivers.balloon2012(g).mapping.handle();
        assertThat(fresh).as("quarantined: not reused").isNotEqualTo(first.handle());

        for (int i = 0; i < 2; i++) {
            Balloon2012<MovablePages2012Impl> x = FakeMovableDrivers.balloon2012(g);
            x.mp.balloonMappingFree(x.mapping);
        }
        assertThat(FakeMovableDrivers.balloon2012(g).mapping.handle()).as("pushed out of the quarantine")
                .isEqualTo(first.handle());
        assertThat(g.slab.quarantined()).isEqualTo(2);
    }

    @Test
    void onlyTheFirstKasanReportOfABootIsPrintedAndASecondFreeIsADoubleFree() {
        Balloon2012<MovablePages2012Impl> d = FakeMovableDrivers.balloon2012(g);
        d.mp.balloonMappingFree(d.mapping);
        d.mp.balloonMappingFree(d.mapping);
        assertThat(dmesg()).contains("BUG: KASAN: double-free in balloon_mapping_free").contains("Freed by task ");

        int pfn = d.add(); // a stale pointer is only stored: no report
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isFalse();
        assertThat(count(dmesg(), "BUG: KASAN:")).isEqualTo(1);
        assertThat(g.debug.kasan().suppressed()).isEqualTo(1);
    }

    @Test
    void aMappingUsedBeforeItWasInitialisedIsKmsansUninitValue() {
        Balloon2012<MovablePages2012Impl> d = FakeMovableDrivers.balloon2012(g);
        AddressSpace raw = d.mp.balloonMappingKmalloc(); // v7: balloon_mapping = kmalloc(), then published
        int pfn = d.allocPage();
        g.lockPage(pfn);
        d.mp.balloonPageSetMapping(pfn, raw); // another device's fill_balloon stored it
        g.unlockPage(pfn);
        d.listAdd(pfn);

        assertThat(g.migrate.isolateMovablePage(pfn, 0)).isFalse();
        String log = dmesg();
        assertThat(log).contains("BUG: KMSAN: uninit-value in balloon_page_isolate").contains("Uninit was created at:")
                .contains("MappingKasanTest.aMappingUsedBeforeItWasInitialisedIsKmsansUninitValue")
                .doesNotContain("KASAN");

        d.mp.balloonMappingInit(raw, d, d);
        assertThat(g.migrate.isolateMovablePage(pfn, 0)).as("initialised: a balloon page like any").isTrue();
        assertThat(d.isolateCalls()).isEqualTo(1);
    }

    @Test
    void theLabsOwnWalksReportNothing() {
        Balloon2012<MovablePages2012Impl> d = FakeMovableDrivers.balloon2012(g);
        int pfn = d.add();
        d.mp.balloonMappingFree(d.mapping);

        assertThat(g.migrate.ownerOf(pfn)).as("a page of a freed mapping is nobody's").isNull();
        assertThat(d.mp.owners()).isNotEmpty();
        assertThat(dmesg()).doesNotContain("KASAN");
    }

    @Test
    void aStackRingThatForgotTheObjectLeavesAnInvalidAccess() {
        Dmesg log = new Dmesg();
        MmDebug debug = new MmDebug(log, true, true);
        Kasan kasan = new Kasan(debug, 2);
        MappingSlab slab = new MappingSlab(new Handles(), kasan);
        AddressSpaceImpl a = new AddressSpaceImpl(slab);
        slab.alloc(a);
        int word = a.balloonMappingWord();
        slab.free(a, "kfree");
        AddressSpaceImpl b = new AddressSpaceImpl(slab);
        slab.alloc(b); // the ring now holds a's free and b's alloc: a's alloc is forgotten
        AddressSpaceImpl c = new AddressSpaceImpl(slab);
        slab.alloc(c); // and now a's free too

        assertThat(slab.use(word, "test")).isNull();
        assertThat(String.join("\n", log.lines())).contains("BUG: KASAN: invalid-access in test")
                .doesNotContain("Allocated by").doesNotContain("Freed by");
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
