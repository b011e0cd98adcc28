package org.mmlab.mm.shell;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.admin.GuestConfig;
import org.osgi.util.promise.Deferred;

/** mm:config when the guest never comes back: a one-line error that says so, not "a bug in the lab". */
class ConfigCommandTest {

    /** A GuestConfig whose reboot never ends (no guest runs, and none boots). */
    private static GuestConfig neverBoots() {
        return (GuestConfig) Proxy.newProxyInstance(GuestConfig.class.getClassLoader(),
                new Class<?>[] {GuestConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "running" -> Optional.empty();
                    case "failedBoot" -> new GuestConfig.FailedBoot(Map.of(), List.of(), "see the log");
                    case "update" -> new Deferred<>().getPromise();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aRebootThatTakesTooLongIsSaidInWords() {
        ConfigCommand cmd = new ConfigCommand(neverBoots(), 1_000);

        // the promise's timeout fails it with org.osgi.util.promise.TimeoutException, which has no message
        assertThatThrownBy(() -> cmd.config("memorySize", "128M"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("waiting for the guest to reboot with memorySize=128M: timed out after 1 s (see the log: log warn)");
    }
}
