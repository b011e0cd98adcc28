package org.mmlab.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

/** The Web Console's shipped password stays on this machine: configured beyond it, the lab makes one. */
class ConsoleCredentialsTest {

    @AfterEach
    void forgetThePassword() {
        System.clearProperty(ConsoleCredentials.PASSWORD);
    }

    @Test
    void onLoopbackTheConsoleKeepsItsShippedPassword() {
        ConsoleCredentials credentials = new ConsoleCredentials(context(Map.of(WebAddress.HOST, "127.0.0.1")), null);

        assertThat(System.getProperty(ConsoleCredentials.PASSWORD)).isNull();
        assertThat(credentials.describe()).isEqualTo("user admin, password admin: reachable from this machine only");
    }

    @Test
    void beyondLoopbackTheRunGetsAPasswordOfItsOwnBeforeTheConsoleStarts() {
        ConsoleCredentials credentials = new ConsoleCredentials(context(Map.of(WebAddress.HOST, "0.0.0.0")), null);

        String password = System.getProperty(ConsoleCredentials.PASSWORD);
        assertThat(password).hasSize(16).isNotEqualTo("admin");
        assertThat(credentials.describe()).startsWith("user admin, password " + password + ": made for this run");

        credentials.deactivate();
        assertThat(System.getProperty(ConsoleCredentials.PASSWORD)).isNull();
    }

    @Test
    void aPasswordTheUserSetIsKept() {
        ConsoleCredentials credentials = new ConsoleCredentials(context(Map.of(WebAddress.HOST, "0.0.0.0",
                ConsoleCredentials.PASSWORD, "mine")), null);

        assertThat(System.getProperty(ConsoleCredentials.PASSWORD)).isNull();
        assertThat(credentials.describe()).isEqualTo("user admin and the password you set");
    }

    /** A bundle context whose framework properties are these, and nothing else. */
    private static BundleContext context(Map<String, String> properties) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getProperty")) {
                        return properties.get((String) args[0]);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
