package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.admin.GuestConfig;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;

/**
 * The race lab and the balloon commands follow the guest across reboots rather than restart with it: a race
 * that boots a guest every run would otherwise take them down and bring them back each time, every one an
 * event for every service listener of the framework.
 */
class CommandsAcrossRebootsTest {
    private static final List<String> FOLLOWERS = List.of("org.mmlab.lab.internal.Lab",
            "org.mmlab.lab.shell.LabCommands", "org.mmlab.lab.shell.StormCommand",
            "org.mmlab.balloon.shell.BalloonCommands");

    @Test
    void aRebootUnregistersNeitherTheLabNorTheCommands() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(CommandsAcrossRebootsTest.class).getBundleContext();
        GuestConfig config = Services.get(GuestConfig.class);
        FreshGuest.boot(config, MigrationContract.MOVABLE_OPS_2025);
        List<String> gone = new ArrayList<>();
        ServiceListener listener = e -> {
            if (e.getType() == ServiceEvent.UNREGISTERING) {
                synchronized (gone) {
                    gone.add(String.join(",", (String[]) e.getServiceReference().getProperty("objectClass")));
                }
            }
        };
        StringBuilder filter = new StringBuilder("(|(objectClass=" + MemoryManager.class.getName() + ")");
        FOLLOWERS.forEach(c -> filter.append("(objectClass=").append(c).append(')'));
        context.addServiceListener(listener, filter.append(')').toString());
        try {
            FreshGuest.boot(config, MigrationContract.BALLOON_2012);
            FreshGuest.boot(config, MigrationContract.MOVABLE_OPS_2025);
        } finally {
            context.removeServiceListener(listener);
        }

        synchronized (gone) {
            assertThat(gone).as("services unregistered by two reboots").filteredOn(c -> c.contains("MemoryManager"))
                    .hasSize(2);
            assertThat(gone).as("services unregistered by two reboots").allMatch(c -> c.contains("MemoryManager"));
        }
    }
}
