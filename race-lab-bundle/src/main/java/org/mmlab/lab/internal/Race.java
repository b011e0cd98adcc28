package org.mmlab.lab.internal;

import java.util.List;
import java.util.Map;

import org.mmlab.lab.RaceOutcome;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * One race of the catalogue: where it comes from, the schedule that makes it happen, the report that
 * says it happened, and the setups (contract, policy, variant) under which it does and does not. The
 * catalogue's races say all that as one {@link RaceMetadata} record ({@link CataloguedRace}).
 */
public interface Race {
    /** A short name for lab:race, e.g. "unload-during-migration". */
    String name();

    /** The seed document and the reviewer's words. */
    String seed();

    String quote();

    /** The variants of the design this race knows, the one it fails under first: name and what it is. */
    Map<String, String> variants();

    /** The setup the race fails under: lab:race's defaults. */
    Setup fails();

    /**
     * Setups under which the same schedule is clean, each with how: the fix closes the window (and at
     * which edges of the script) or keeps it open and survives it.
     */
    List<Pass> passes();

    /** The names of the simulated threads {@link #prepare} returns, in order (scripts and traces name them). */
    List<String> threadNames();

    /** What else the run sets, in a sentence. */
    String conditions();

    /** The scripted schedule, a partial order over THREAD@POINT events (under {@link #fails()}). */
    String script();

    /** The script under this setup: the same one unless a point of it does not exist there. */
    default String script(Setup setup) {
        return script();
    }

    /**
     * The first line of the report the race produces, e.g. "BUG: KASAN: use-after-unload in"; empty for
     * an {@link #exploration()} entry, which looks for any checker report.
     */
    String report();

    /**
     * Whether a checker report (its first line and the rest of it, as {@link org.mmlab.lab.CheckerReports#whole}
     * gives it) is this race's: lab:storm names the race beside it. By default its first line holds
     * {@link #report()}; a race whose report has another race's title tells them apart by the rest.
     */
    default boolean reportIsOurs(String report) {
        return !exploration() && report.lines().findFirst().orElse("").contains(report());
    }

    /**
     * An exploration entry: no scripted schedule fails, {@link #fails()} is the setup it explores
     * (lab:explore), and its script is one schedule of interest that the design survives.
     */
    default boolean exploration() {
        return false;
    }

    /**
     * Readies what every run of a batch shares (the contract the guest boots with, the race's own
     * settings), before the first run; {@link #prepare} then readies only what a run changes. After a
     * run that reported something it is called again, and {@link LabContext#bootWith} then reboots the
     * guest: it must be idempotent. The default does nothing: prepare() readies everything.
     */
    default void prepareBatch(LabContext lab, Setup setup) throws Exception {
    }

    /**
     * Whether {@link #prepare} boots a fresh guest for every run: a run that reported something then needs
     * no {@link #prepareBatch} again, whose boot the next prepare() would only repeat.
     */
    default boolean freshGuestEachRun() {
        return false;
    }

    /**
     * Readies one run (the guest booted with the setup's contract, drivers, pages) and returns the
     * simulated threads, by name, in order. The policy is already set.
     */
    Map<String, Runnable> prepare(LabContext lab, Setup setup) throws Exception;

    /**
     * Between two runs of a batch: undoes what the run changed that the next {@link #prepare} does not
     * redo. The default is {@link #cleanup}, for a race whose prepare() readies everything.
     */
    default void reset(LabContext lab) throws Exception {
        cleanup(lab);
    }

    /** After a batch's last run: puts the lab back as a user expects it (drivers loaded, default contract). */
    void cleanup(LabContext lab) throws Exception;

    /** Runs also stop at "lock:CLASS" before each blocking acquire of an annotated lock (more decisions). */
    default boolean lockPoints() {
        return false;
    }

    /**
     * After a run: what the run should have done and did not (e.g. "virtio-bundle was not unloaded"),
     * which makes it a failed run, or null. So an exploration that finds nothing can show it explored.
     */
    default String checkWork(LabContext lab, RaceOutcome run) throws Exception {
        return null;
    }

    /** What the runs of the batch so far did, in a line (lab:race and lab:explore print it), or null. */
    default String work() {
        return null;
    }

    /** The setup with the race's defaults for what the user left empty; a clear error for an unknown variant. */
    default Setup setup(String contract, String policy, String variant) {
        Setup f = fails();
        String v = variant.isEmpty() ? f.variant() : variant;
        if (!variants().containsKey(v)) {
            throw new IllegalArgumentException("race " + name() + " has no variant '" + v + "': use "
                    + String.join(", ", variants().keySet()));
        }
        return new Setup(contract.isEmpty() ? f.contract() : MigrationContract.parse(contract),
                policy.isEmpty() ? f.policy() : ModulePolicy.parse(policy), v);
    }
}
