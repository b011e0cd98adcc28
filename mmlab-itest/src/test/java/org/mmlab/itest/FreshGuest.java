package org.mmlab.itest;

import java.util.Map;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.admin.GuestConfig;
import org.mmlab.mm.admin.GuestConfiguration;

/**
 * Boots a fresh guest with the default configuration of PID org.mmlab.mm (every property at MmCore's
 * default) under a given migration contract, whatever an earlier test left configured: a guest that ran
 * a test keeps what the test did to its memory. Returns once the new guest runs (GuestConfig's promise)
 * and SCR has bound the components that hold it to it (ConfigurationEvents); a reboot of the 4 GiB guest
 * takes a few tens of ms.
 */
final class FreshGuest {
    private FreshGuest() {
    }

    static GuestConfiguration boot(GuestConfig config, MigrationContract contract) throws Exception {
        GuestConfiguration booted = Await.value(config.reset(Map.of("migrationContract", contract.value())),
                "a fresh default guest under contract " + contract.value());
        ConfigurationEvents.drain(); // the components that hold the guest bound to the new one
        return booted;
    }
}
