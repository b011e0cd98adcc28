package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.admin.CheckResult;

/** Frames a host took back: what a guest access to one means, and what mm:check says about them. */
class HostFramesTest {
    /** A host that records the guest's accesses to its frames. */
    static final class Host implements Hypervisor {
        final boolean faultsIn;
        final List<String> accesses = new ArrayList<>();

        Host(boolean faultsIn) {
            this.faultsIn = faultsIn;
        }

        @Override
        public String name() {
            return "test host";
        }

        @Override
        public boolean faultsInOnAccess() {
            return faultsIn;
        }

        @Override
        public void guestAccessedHeldFrame(int pfn, String access) {
            accesses.add(access + " " + Integer.toHexString(pfn));
        }
    }

    static MmCore boot() {
        MmCore.Config config = (MmCore.Config) Proxy.newProxyInstance(MmCore.Config.class.getClassLoader(),
                new Class<?>[] {MmCore.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "memorySize" -> "64M";
                    case "dma32Size" -> "32M";
                    default -> method.getDefaultValue();
                });
        MmCore core = new MmCore(config);
        core.guest().compaction().kcompactd().stop();
        return core;
    }

    @Test
    void aGuestStoreToAFrameAMustTellHostHoldsIsDataLossReportedAndFailsTheCheck() {
        MmCore core = boot();
        Host host = new Host(false);
        int pfn = core.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        core.writePage(pfn, 0x1234);
        core.hostDiscardFrame(pfn, host);

        assertThat(core.frameHolder(pfn)).isSameAs(host);
        assertThat(core.guest().content().read(pfn)).as("the host discarded the content").isNotEqualTo(0x1234);
        assertThat(MmCheck.run(core.guest(), null).ok()).as("held and still allocated: fine").isTrue();

        core.writePage(pfn, 0x5678);

        assertThat(host.accesses).containsExactly("kernel store " + Integer.toHexString(pfn));
        assertThat(core.guest().dmesg().lines()).anyMatch(l -> l.contains("BUG: mmlab: data loss: kernel store of pfn"));
        CheckResult r = MmCheck.run(core.guest(), null);
        assertThat(r.verdict()).startsWith("mm:check: FAIL guest access to a host-held frame: 1");
    }

    @Test
    void aHeldFrameTheGuestFreedFailsTheCheckBeforeAnyoneTouchesIt() {
        MmCore core = boot();
        int pfn = core.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        core.hostDiscardFrame(pfn, new Host(false));
        core.freePages(pfn, 0); // released before the host acknowledged the deflate

        CheckResult r = MmCheck.run(core.guest(), null);
        assertThat(r.verdict()).startsWith("mm:check: FAIL host-held frame in guest use: 1");
        assertThat(r.text()).contains(String.format("pfn %#x, which test host holds, is free", pfn));
    }

    /** A 2 MiB balloon page (alloc_pages() order 9, not compound): its tail frames have no count of their own. */
    @Test
    void heldFramesOfALiveHighOrderBlockAreAllocatedAndFreedTheyFailTheCheck() {
        MmCore core = boot();
        Host host = new Host(false);
        int pfn = core.allocPages(Gfp.__GFP_HIGHMEM | Gfp.__GFP_NOWARN, 9);
        for (int i = 0; i < 512; i++) {
            core.hostDiscardFrame(pfn + i, host);
        }

        CheckResult held = MmCheck.run(core.guest(), null);
        assertThat(held.ok()).as(held.text()).isTrue();

        for (int i = 0; i < 512; i++) {
            core.hostPopulateFrame(pfn + i);
        }
        core.hostDiscardFrame(pfn + 1, host);
        core.freePages(pfn, 9);
        CheckResult r = MmCheck.run(core.guest(), null);
        assertThat(r.text()).contains(String.format("pfn %#x, which test host holds, is free", pfn + 1));
    }

    /** split_page(): each page of the block has a reference of its own and is freed alone. */
    @Test
    void splitPageGivesEachPageOfABlockItsOwnReference() {
        MmCore core = boot();
        long free = core.freePages();
        int pfn = core.allocPages(Gfp.__GFP_HIGHMEM | Gfp.__GFP_NOWARN, 9);

        core.splitPage(pfn, 9);

        for (int i = 0; i < 512; i++) {
            assertThat(core.pageCount(pfn + i)).isEqualTo(1);
        }
        assertThat(MmCheck.run(core.guest(), null).ok()).isTrue();
        for (int i = 0; i < 512; i++) {
            core.freePages(pfn + i, 0);
        }
        core.guest().drainAllPages(); // the per-cpu list holds the last frees
        assertThat(core.freePages()).isEqualTo(free);
        CheckResult r = MmCheck.run(core.guest(), null);
        assertThat(r.ok()).as(r.text()).isTrue();
        int compound = core.allocPages(Gfp.__GFP_HIGHMEM | Gfp.__GFP_COMP, 9);
        assertThatThrownBy(() -> core.splitPage(compound, 9)).hasMessageContaining("PageCompound(page)");
    }

    @Test
    void aHostThatFaultsFramesInGivesAZeroedFrameAndNothingIsLost() {
        MmCore core = boot();
        Host host = new Host(true);
        int pfn = core.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        core.hostDiscardFrame(pfn, host);
        core.freePages(pfn, 0);

        assertThat(MmCheck.run(core.guest(), null).ok()).isTrue();
        assertThat(core.readPage(pfn)).isZero();
        assertThat(core.frameHolder(pfn)).as("faulted back in").isNull();
        assertThat(host.accesses).hasSize(1);
        assertThat(MmCheck.run(core.guest(), null).ok()).isTrue();
    }

    @Test
    void aPopulatedFrameIsTheGuestsAgainAndBadCallsChangeNothing() {
        MmCore core = boot();
        Host host = new Host(false);
        int pfn = core.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        core.hostDiscardFrame(pfn, host);

        assertThatThrownBy(() -> core.hostDiscardFrame(pfn, new Host(false))).hasMessageContaining("already holds");
        assertThat(core.frameHolder(pfn)).isSameAs(host);

        core.hostPopulateFrame(pfn);
        assertThat(core.frameHolder(pfn)).isNull();
        assertThatThrownBy(() -> core.hostPopulateFrame(pfn)).hasMessageContaining("no host holds it");
        core.writePage(pfn, 7);
        assertThat(host.accesses).isEmpty();
        assertThat(MmCheck.run(core.guest(), null).ok()).isTrue();
    }

    @Test
    void aHostThatHoldsNoFrameAnyMoreLeavesItsPlaceToTheNext() {
        MmCore core = boot();
        int pfn = core.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        for (int i = 0; i < 300; i++) { // devices probed and removed, one host each: a hot-plug storm
            Host host = new Host(false);
            core.hostDiscardFrame(pfn, host);
            assertThat(core.frameHolder(pfn)).isSameAs(host);
            core.hostPopulateFrame(pfn);
        }
        assertThat(MmCheck.run(core.guest(), null).ok()).isTrue();
    }

    /** A buffer's frames in one section: what one call a frame does, frame by frame, up to the first it refuses. */
    @Test
    void aRunOfFramesIsDiscardedAndGivenBackAsOneCallAFrameWouldUpToTheFirstItRefuses() {
        MmCore core = boot();
        Host host = new Host(false);
        Host other = new Host(false);
        int pfn = core.allocPages(Gfp.__GFP_HIGHMEM | Gfp.__GFP_NOWARN, 3);
        core.splitPage(pfn, 3);
        for (int i = 0; i < 8; i++) {
            core.writePage(pfn + i, 0x100 + i);
        }
        core.hostDiscardFrame(pfn + 5, other);
        int[] run = {pfn, pfn + 1, pfn + 2, pfn + 5, pfn + 6, pfn + 7};

        assertThat(core.hostDiscardFrames(run, 0, run.length, host)).as("stops at the frame another host holds").isEqualTo(3);
        assertThat(core.frameHolder(pfn + 5)).isSameAs(other);
        assertThat(core.guest().content().read(pfn + 6)).as("not reached: unchanged").isEqualTo(0x106);
        assertThat(core.hostDiscardFrames(run, 4, run.length, host)).isEqualTo(run.length);
        for (int i : new int[] {0, 1, 2, 6, 7}) {
            assertThat(core.frameHolder(pfn + i)).isSameAs(host);
            assertThat(core.guest().content().read(pfn + i)).as("discarded").isNotEqualTo(0x100 + i);
        }
        assertThat(core.guest().hostFrames.held()).isEqualTo(6);
        assertThat(core.frameHolder(pfn + 3)).isNull();
        assertThat(core.hostDiscardFrames(new int[] {pfn + 3, core.nrPages()}, 0, 2, host)).as("outside memory").isEqualTo(1);
        assertThat(core.hostDiscardFrames(run, 2, 2, host)).as("an empty run").isEqualTo(2);
        assertThatThrownBy(() -> core.hostDiscardFrames(run, 3, 7, host)).hasMessageContaining("is not within the array");
        CheckResult held = MmCheck.run(core.guest(), null);
        assertThat(held.ok()).as(held.text()).isTrue();

        int[] back = {pfn, pfn + 1, pfn + 4, pfn + 6};
        assertThat(core.hostPopulateFrames(back, 0, back.length)).as("stops at the frame no host holds").isEqualTo(2);
        assertThat(core.frameHolder(pfn)).isNull();
        assertThat(core.guest().content().read(pfn)).as("a zeroed frame").isZero();
        assertThat(core.frameHolder(pfn + 6)).isSameAs(host);
        assertThat(core.hostPopulateFrames(back, 3, 4)).isEqualTo(4);
        assertThat(core.hostPopulateFrames(new int[] {pfn + 2, pfn + 7, pfn + 5, pfn + 3, pfn + 4}, 0, 5))
                .as("another host's frame is given back too; then the one no host holds").isEqualTo(4);
        assertThat(core.guest().hostFrames.held()).isZero();
        for (int i = 0; i < 8; i++) {
            core.writePage(pfn + i, 1);
        }
        assertThat(host.accesses).isEmpty();
        assertThat(other.accesses).isEmpty();
        CheckResult r = MmCheck.run(core.guest(), null);
        assertThat(r.ok()).as(r.text()).isTrue();
    }

    /** A reported free page in a run goes to the new host, as hostDiscardFrame() has it. */
    @Test
    void aReportedFrameInARunGoesToTheHostThatDiscardsIt() {
        MmCore core = boot();
        Host reporting = new Host(true);
        Host host = new Host(false);
        int pfn = core.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        core.guest().hostFrames.discardReported(pfn, reporting);

        assertThat(core.hostDiscardFrames(new int[] {pfn}, 0, 1, host)).isEqualTo(1);

        assertThat(core.frameHolder(pfn)).isSameAs(host);
        assertThat(core.guest().hostFrames.reportedHeld()).isZero();
        assertThat(core.guest().hostFrames.reportedReturned()).isEqualTo(1);
        assertThat(core.guest().hostFrames.held()).isEqualTo(1);
    }
}
