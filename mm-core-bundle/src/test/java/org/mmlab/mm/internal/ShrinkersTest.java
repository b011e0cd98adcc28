package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Deque;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.Shrinker;

/** shrink_slab() in the allocator's slow path: a shrinker's pages come back before the allocation fails. */
class ShrinkersTest {
    /** A cache of pages it gives back on request. */
    static final class PageCache implements Shrinker {
        final MmCore core;
        final Deque<Integer> pages = new ArrayDeque<>();
        int scans;

        PageCache(MmCore core) {
            this.core = core;
        }

        @Override
        public synchronized long countObjects() {
            return pages.size();
        }

        @Override
        public synchronized long scanObjects(long nrToScan) {
            scans++;
            long freed = 0;
            while (freed < nrToScan && !pages.isEmpty()) {
                core.freePages(pages.pop(), 0);
                freed++;
            }
            return freed;
        }
    }

    @Test
    void anAllocationThatFindsNoFreePageGetsTheShrinkersPages() {
        MmCore core = HostFramesTest.boot();
        PageCache cache = new PageCache(core);
        for (int i = 0; i < 300; i++) {
            cache.pages.push(core.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0));
        }
        core.registerShrinker("test-cache", cache);
        int gfp = Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN;

        long allocated = 0;
        while (core.allocPages(gfp, 0) != Mm.NO_PAGE) {
            allocated++;
        }

        assertThat(cache.pages).as("every cached page given back").isEmpty();
        assertThat(cache.scans).as("in batches of SHRINK_BATCH").isGreaterThanOrEqualTo(3);
        assertThat(allocated).isGreaterThan(300);
    }

    @Test
    void anUnregisteredShrinkerIsNeverCalledAndTwoRegistrationsAreRefused() {
        MmCore core = HostFramesTest.boot();
        PageCache cache = new PageCache(core);
        cache.pages.push(core.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0));
        core.registerShrinker("test-cache", cache);
        assertThatThrownBy(() -> core.registerShrinker("test-cache", cache)).hasMessageContaining("registered twice");
        core.unregisterShrinker(cache);

        int gfp = Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN;
        while (core.allocPages(gfp, 0) != Mm.NO_PAGE) {
            // exhaust memory
        }
        assertThat(cache.scans).isZero();
        assertThat(cache.pages).hasSize(1);
    }

    @Test
    void eachEntryIntoDirectReclaimCountsOneAllocStallForTheAllocationsHighestZone() {
        MmCore core = HostFramesTest.boot();
        int noReclaim = Gfp.GFP_NOWAIT | Gfp.__GFP_NOWARN;
        int normal = Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN;
        int dma32 = Gfp.GFP_KERNEL | Gfp.__GFP_DMA32 | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN;

        while (core.allocPages(normal, 0) != Mm.NO_PAGE) {
            // only the allocation that finds nothing left reaches direct reclaim
        }
        assertThat(core.vmstat()).containsEntry("allocstall_normal", 1L).containsEntry("allocstall_dma32", 0L);
        assertThat(core.allocPages(noReclaim, 0)).isEqualTo(Mm.NO_PAGE);
        assertThat(core.vmstat()).as("no __GFP_DIRECT_RECLAIM, no stall").containsEntry("allocstall_normal", 1L);
        while (core.allocPages(dma32, 0) != Mm.NO_PAGE) {
            // DMA32's lowmem reserve, kept from the Normal allocations
        }
        assertThat(core.vmstat()).containsEntry("allocstall_normal", 1L).containsEntry("allocstall_dma32", 1L);
    }
}
