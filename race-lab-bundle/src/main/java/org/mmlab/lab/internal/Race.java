package org.mmlab.lab.internal;

import java.util.List;
import java.util.Map;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.ModulePolicy;

/**
 * One race of the catalogue: where it comes from, the schedule that makes it happen, the report that
 * says it happened, and the policies under which it does and does not.
 */
public interface Race {
    /** A short name for lab:race, e.g. "unload-during-migration". */
    String name();

    /** The seed document and the reviewer's words. */
    String seed();

    String quote();

    /** The contract the race needs (the guest is booted with it). */
    MigrationContract contract();

    ModulePolicy failsUnder();

    List<ModulePolicy> passesUnder();

    /** What else the run sets, and where the fixing policies run, in a sentence. */
    String conditions();

    /** The scripted schedule, a partial order over THREAD@POINT events. */
    String script();

    /** The first line of the report the race produces, e.g. "BUG: KASAN: use-after-unload in". */
    String report();

    /**
     * Readies the lab (the guest booted with the contract, drivers, pages) and returns the simulated
     * threads, by name, in order.
     */
    Map<String, Runnable> prepare(LabContext lab, MigrationContract contract) throws Exception;

    /** Puts the lab back as a user expects it (drivers loaded, default contract), whatever the run did. */
    void cleanup(LabContext lab) throws Exception;
}
