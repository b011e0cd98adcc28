package org.mmlab.lab.internal;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.ModulePolicy;

/**
 * What a storm runs against, and what its background is seeded with: the contract the guest boots with,
 * the module protection policy, the balloon infrastructure's leak path (v7 is the reviewed patch's, 2012
 * only), the seed and how many cycles go between two checks.
 */
record StormSetup(MigrationContract contract, ModulePolicy policy, String leakPath, long seed, int checkEvery) {

    StormSetup {
        if (!leakPath.equals(LeakPathSetting.V38) && !leakPath.equals(LeakPathSetting.V7)) {
            throw new IllegalArgumentException("no leak path '" + leakPath + "': use v3.8 (merged) or v7 (the"
                    + " reviewed patch's)");
        }
        if (leakPath.equals(LeakPathSetting.V7) && contract != MigrationContract.BALLOON_2012) {
            throw new IllegalArgumentException("--leak-path v7 is the 2012 contract's: give --contract 2012");
        }
    }

    /** The same setup, checked every k cycles. */
    StormSetup checkingEvery(int k) {
        return new StormSetup(contract, policy, leakPath, seed, k);
    }

    /** The same setup, its background and cycles seeded with seed. */
    StormSetup seeded(long seed) {
        return new StormSetup(contract, policy, leakPath, seed, checkEvery);
    }

    /** As lab:storm takes it. */
    String options() {
        return "--seed " + seed + " " + guest() + " --check-every " + checkEvery;
    }

    /** What the guest runs, as lab:storm takes it: "--contract 2025 --policy none --leak-path v3.8". */
    String guest() {
        return "--contract " + contract.value() + " --policy " + policy.value() + " --leak-path " + leakPath;
    }

    @Override
    public String toString() {
        return contract.value() + "/" + policy.value() + "/leak-path " + leakPath;
    }
}
