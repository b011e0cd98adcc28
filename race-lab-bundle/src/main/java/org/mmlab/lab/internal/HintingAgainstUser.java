package org.mmlab.lab.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.mmlab.aeration.Aeration;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.Mm;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;

/**
 * The hinting races 11 and 12: one pass of a hinting design (thread "hinting") against a user (thread
 * "user") who allocates one block of the given order, writes it and says so at
 * {@link InjectionPoints#LAB_USER_WROTE}; the block is given back between runs (the next run boots a
 * fresh guest anyway).
 */
abstract class HintingAgainstUser extends CataloguedRace {
    private final HintingSetup hinting = new HintingSetup();
    private final String design;
    private final int order;
    private final String what;
    /** The user's block in the guest of the run, or NO_PAGE. */
    private volatile int block = Mm.NO_PAGE;
    private MemoryManager runGuest;

    /**
     * @param design "aerator" or "reporting"
     * @param what   the user's block as a failure names it, e.g. "4 MiB"
     */
    HintingAgainstUser(RaceMetadata metadata, String design, int order, String what) {
        super(metadata);
        this.design = design;
        this.order = order;
        this.what = what;
    }

    /** What the race turns on in the fresh guest before its threads run (nothing by default). */
    void configure(LabContext lab) throws Exception {
    }

    @Override
    public void prepareBatch(LabContext lab, Setup setup) throws Exception {
        hinting.prepareBatch(lab, setup.contract(), design, design, setup.variant());
    }

    /** prepare() reboots the guest for every run (HintingSetup.freshGuest). */
    @Override
    public boolean freshGuestEachRun() {
        return true;
    }

    @Override
    public Map<String, Runnable> prepare(LabContext lab, Setup setup) throws Exception {
        Aeration a = hinting.freshGuest(lab, setup.contract(), design, setup.variant());
        configure(lab);
        Map<String, Runnable> threads = new LinkedHashMap<>();
        threads.put("hinting", HintingSetup.pass(a));
        threads.put("user", user(lab.mm(), lab.mmLab()));
        return threads;
    }

    private Runnable user(MemoryManager mm, MmLab mmLab) {
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

    /** Between runs: the user's block freed. */
    @Override
    public void reset(LabContext lab) throws Exception {
        freeUserBlock(lab);
    }

    @Override
    public void cleanup(LabContext lab) throws Exception {
        freeUserBlock(lab);
        hinting.restore(lab);
    }

    /** Frees the user's block, if the run's guest is still the lab's. */
    private void freeUserBlock(LabContext lab) throws Exception {
        int pfn = block;
        block = Mm.NO_PAGE;
        if (pfn != Mm.NO_PAGE && lab.mm() == runGuest) {
            runGuest.freePages(pfn, order);
        }
        runGuest = null;
    }
}
