package org.mmlab.lab.internal;

import java.util.List;
import java.util.Map;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.ModulePolicy;

/**
 * One race of the catalogue: where it comes from, the schedule that makes it happen, the report that
 * says it happened, and the setups (contract, policy, variant) under which it does and does not.
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

    /** Setups under which the same schedule is clean. */
    List<Setup> passes();

    /** What else the run sets, in a sentence. */
    String conditions();

    /** The scripted schedule, a partial order over THREAD@POINT events. */
    String script();

    /** The first line of the report the race produces, e.g. "BUG: KASAN: use-after-unload in". */
    String report();

    /**
     * Readies the lab (the guest booted with the setup's contract, drivers, pages) and returns the
     * simulated threads, by name, in order. The policy is already set.
     */
    Map<String, Runnable> prepare(LabContext lab, Setup setup) throws Exception;

    /** Puts the lab back as a user expects it (drivers loaded, default contract), whatever the run did. */
    void cleanup(LabContext lab) throws Exception;

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
