package org.mmlab.lab.internal;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.Mm;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;

/**
 * The user thread of the hinting races (11, 12): allocates one block of the given order while the
 * hinting work runs, writes it, says so at {@link InjectionPoints#LAB_USER_WROTE}, and gives it back
 * between runs (the next run boots a fresh guest anyway).
 */
final class HintingUser {
    private final int order;
    private final String what;
    /** The user's block in the guest of the run, or NO_PAGE. */
    private volatile int block = Mm.NO_PAGE;
    private MemoryManager runGuest;

    /** @param what the block as the failure says it, e.g. "4 MiB" */
    HintingUser(int order, String what) {
        this.order = order;
        this.what = what;
    }

    /** The thread's body in the run's guest. */
    Runnable thread(LabContext lab) throws Exception {
        MemoryManager mm = lab.mm();
        MmLab mmLab = lab.mmLab();
        runGuest = mm;
        return () -> {
            int pfn = mm.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, order);
            if (pfn == Mm.NO_PAGE) {
                throw new IllegalStateException("the user's " + what + " allocation failed");
            }
            block = pfn;
            mm.writePage(pfn, 0x5eed);
            mmLab.injectionPoint(InjectionPoints.LAB_USER_WROTE, pfn);
        };
    }

    /** Frees the user's block, if the run's guest is still the lab's. */
    void free(LabContext lab) throws Exception {
        int pfn = block;
        block = Mm.NO_PAGE;
        if (pfn != Mm.NO_PAGE && lab.mm() == runGuest) {
            runGuest.freePages(pfn, order);
        }
        runGuest = null;
    }
}
