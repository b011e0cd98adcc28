package org.mmlab.itest;

import java.util.HashMap;
import java.util.Map;

import org.mmlab.mm.MigrationContract;

/**
 * Boots a fresh guest with the default configuration of PID org.mmlab.mm (4 GiB, 3 GiB of DMA32,
 * content tags, both debug checkers) under a given migration contract, whatever an earlier test
 * left configured: mm:config keeps every property it is not told to change, and a guest that ran a
 * test keeps what the test did to its memory. A reboot of the 4 GiB guest takes a few tens of ms.
 */
final class FreshGuest {
    private FreshGuest() {
    }

    /** Runs mm:config for each property that is not the default, and at last for the contract, which always reboots. */
    static void boot(GogoSession gogo, MigrationContract contract) throws Exception {
        Map<String, String> shown = new HashMap<>();
        for (String line : gogo.run("mm:config").split("\\R")) {
            String[] f = line.trim().split("\\s+", 2);
            if (f.length == 2) {
                shown.put(f[0], f[1]);
            }
        }
        setUnless(gogo, shown, "memorySize", "4 GiB (", "4G");
        setUnless(gogo, shown, "dma32Size", "3 GiB", "3G");
        setUnless(gogo, shown, "contentModel", "tag", "tag");
        setUnless(gogo, shown, "debugVm", "true", "true");
        setUnless(gogo, shown, "debugList", "true", "true");
        setUnless(gogo, shown, "pagePoisoning", "false", "false");
        setUnless(gogo, shown, "lockdep", "false", "false");
        gogo.run("mm:config migrationContract " + contract.value());
    }

    private static void setUnless(GogoSession gogo, Map<String, String> shown, String name, String shownPrefix,
            String value) throws Exception {
        String now = shown.get(name);
        if (now == null || !now.startsWith(shownPrefix)) {
            gogo.run("mm:config " + name + " " + value);
        }
    }
}
