package org.mmlab.lab.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;

/**
 * A race of the balloon core itself (races 2, 6, 7): the guest booted with the setup's contract,
 * the lab's own one-page balloon ({@link LabBalloon}), and two simulated threads: "compaction",
 * which migrates that page as alloc_contig_range() does (the lockless test, then isolation), and
 * "balloon", the driver deflating it. The runs of a batch share a guest booted with the contract and
 * the variant's switches; only a run that reported gets a fresh one.
 */
abstract class BalloonCoreRace extends CataloguedRace {
    /** The simulated threads of every such race. */
    static final List<String> THREADS = List.of("compaction", "balloon");

    private LabBalloon balloon;

    BalloonCoreRace(RaceMetadata metadata) {
        super(metadata);
    }

    /** The variant's switches, on the freshly booted guest (mm:debug ...); idempotent. */
    abstract void applyVariant(LabContext lab, Setup setup) throws Exception;

    /** Undoes what applyVariant() set outside the guest (configurations); the reboot undoes the rest. */
    void revertVariant(LabContext lab) throws Exception {
    }

    /** Once a batch, and again after a run that reported (a fresh guest): the contract, the variant. */
    @Override
    public void prepareBatch(LabContext lab, Setup setup) throws Exception {
        lab.bootWith(setup.contract());
        lab.kcompactd(false);
        applyVariant(lab, setup);
    }

    @Override
    public Map<String, Runnable> prepare(LabContext lab, Setup setup) throws Exception {
        MemoryManager mm = lab.mm();
        balloon = new LabBalloon(lab.context, mm, lab.mmLab(), setup.contract());
        int pfn = balloon.inflateOne();
        Map<String, Runnable> threads = new LinkedHashMap<>();
        threads.put("compaction", () -> mm.migrateRange(pfn, pfn + 1, MigrateMode.SYNC));
        threads.put("balloon", balloon::deflateOne);
        return threads;
    }

    /** Between runs: the lab balloon goes (its driver's remove); the guest and the variant stay. */
    @Override
    public void reset(LabContext lab) {
        if (balloon != null) {
            balloon.close();
            balloon = null;
        }
    }

    @Override
    public void cleanup(LabContext lab) throws Exception {
        reset(lab);
        revertVariant(lab);
        lab.reboot(MigrationContract.MOVABLE_OPS_2025);
        lab.kcompactd(true);
    }
}
