package org.mmlab.itest;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.mmlab.mm.admin.GuestConfig;

/**
 * Leaves the lab settled after each test and class: the guest booted from what PID org.mmlab.mm holds
 * then. osgi-test's configuration annotations put back every configuration a test changed, the guest's
 * too, and Configuration Admin reboots the guest for it on its own thread; the next test must not start
 * on a guest about to go. Declare it before the annotations (its callbacks then run after theirs).
 */
final class SettledLab implements AfterEachCallback, AfterAllCallback {
    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        settle();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        settle();
    }

    private static void settle() throws InterruptedException {
        Await.value(Services.get(GuestConfig.class).booted(), "the guest booted from the configuration the test left");
    }
}
