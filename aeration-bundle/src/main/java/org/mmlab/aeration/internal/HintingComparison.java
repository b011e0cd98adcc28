package org.mmlab.aeration.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.mmlab.aeration.AerationStatus;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.Mm;
import org.mmlab.mm.hinting.PageAllocHinting;

/**
 * The lab's comparison of free page hinting designs (no kernel has one): on a fresh guest, the same
 * seeded rounds under each design. A round allocates blocks of order 0 to 9 (GFP_HIGHUSER_MOVABLE,
 * each page written, so a frame the host discarded is faulted back in), frees half of what is allocated,
 * chosen by the seed, and runs the design's pending work (aerate:kick). What is measured: the memory the
 * host holds after the first pass and after each round, the device calls and pages hinted, the frames
 * the host had to give back because the guest used them again (hinted, then allocated: wasted work), the
 * cost of an allocation and a free with the design's hooks in the free path, and zone-&gt;lock held by the
 * design.
 */
public final class HintingComparison {
    /** Allocations per round, and their most: 64 MiB a round at most (each order up to 9 equally likely). */
    public static final int ALLOCS_PER_ROUND = 256;

    /**
     * One design's figures.
     *
     * @param heldMib      MiB the host holds as reported pages after the first pass (index 0) and each round
     * @param hints        calls of the device
     * @param pagesHinted  pages handed to the host
     * @param reallocated  frames the host gave back because the guest wrote them again
     * @param allocNs      median ns of an allocation
     * @param freeNs       median ns of a free
     * @param lockHeldUs   zone-&gt;lock held by the design, in all, µs
     * @param lockSections sections the design held it in
     * @param lockMaxUs    the longest section, µs
     */
    public record Row(String design, long[] heldMib, long hints, long pagesHinted, long reallocated, long allocNs,
            long freeNs, long lockHeldUs, long lockSections, long lockMaxUs) {
    }

    private HintingComparison() {
    }

    /** The rounds on this guest under the design in force (its device registered, autoRun off). */
    public static Row run(AerationComponent a, long seed, int rounds) {
        MemoryManager mm = a.mm();
        PageAllocHinting core = a.core();
        long returnedBefore = core.reportedFramesReturned();
        Random rnd = new Random(seed);
        long[] held = new long[rounds + 1];
        a.kick(AerationComponent.KICK_PASSES);
        held[0] = mib(core.reportedFramesHeld());
        List<int[]> live = new ArrayList<>();
        long[] allocNs = new long[rounds * ALLOCS_PER_ROUND];
        long[] freeNs = new long[rounds * ALLOCS_PER_ROUND];
        int allocs = 0;
        int frees = 0;
        for (int r = 1; r <= rounds; r++) {
            for (int i = 0; i < ALLOCS_PER_ROUND; i++) {
                int order = rnd.nextInt(Mm.PAGEBLOCK_ORDER + 1);
                long t = System.nanoTime();
                int pfn = mm.allocPages(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOWARN, order);
                allocNs[allocs++] = System.nanoTime() - t;
                if (pfn == Mm.NO_PAGE) {
                    continue;
                }
                for (int p = pfn; p < pfn + (1 << order); p++) {
                    mm.writePage(p, seed);
                }
                live.add(new int[] {pfn, order});
            }
            Collections.shuffle(live, rnd);
            for (int n = live.size() / 2; n > 0; n--) {
                int[] b = live.remove(live.size() - 1);
                long t = System.nanoTime();
                mm.freePages(b[0], b[1]);
                freeNs[frees++] = System.nanoTime() - t;
            }
            a.kick(AerationComponent.KICK_PASSES);
            held[r] = mib(core.reportedFramesHeld());
        }
        for (int[] b : live) {
            mm.freePages(b[0], b[1]);
        }
        AerationStatus s = a.status();
        HintingStats st = a.stats();
        return new Row(s.design(), held, s.hints(), s.pagesHinted(), core.reportedFramesReturned() - returnedBefore,
                median(allocNs, allocs), median(freeNs, frees), st.lockHeldNs() / 1000, st.lockSections(),
                st.lockHeldMaxNs() / 1000);
    }

    private static long median(long[] ns, int n) {
        if (n == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(ns, n);
        Arrays.sort(sorted);
        return sorted[n / 2];
    }

    private static long mib(long pages) {
        return pages * Mm.PAGE_SIZE >> 20;
    }
}
