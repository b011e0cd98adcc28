package org.mmlab.lab.internal;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * What a race runs against: the migration contract the guest boots with, the module protection
 * policy, and the race's own variant of the design under review (a driver as a patch wrote it, a
 * barrier, a re-test), by name (see {@link Race#variants()}).
 */
public record Setup(MigrationContract contract, ModulePolicy policy, String variant) {
    /** As lab:race takes it: "--contract 2012 --policy none --variant no-wmb". */
    public String options() {
        return "--contract " + contract.value() + " --policy " + policy.value() + " --variant " + variant;
    }

    @Override
    public String toString() {
        return contract.value() + "/" + policy.value() + "/" + variant;
    }
}
