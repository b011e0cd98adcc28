package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmlab.mm.MemoryManager;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;

/**
 * The races that reboot the guest every run on virtio (1, 10 and 13) set the other balloon drivers aside for
 * their batch: no reboot of the batch probes a VMware, Hyper-V or XEN device, and the drivers run again when
 * lab:race returns. Each boot is seen as its MemoryManager's registration, with the drivers' states at that moment.
 */
class OtherDriversAsideTest {
    private static final List<String> OTHERS = List.of("vmware-bundle", "hyperv-bundle", "xen-bundle");

    @RegisterExtension
    final RaceTestSetup gogo = new RaceTestSetup();

    @ParameterizedTest
    @ValueSource(strings = {"unload-during-migration", "hinting-device-unload", "mapping-freed-under-scan"})
    void aVirtioRaceBootsNoGuestWithTheOtherDriversAndPutsThemBack(String race) throws Exception {
        BundleContext context = FrameworkUtil.getBundle(OtherDriversAsideTest.class).getBundleContext();
        List<String> boots = new ArrayList<>();
        ServiceListener listener = e -> {
            if (e.getType() == ServiceEvent.REGISTERED) {
                List<String> active = OTHERS.stream().filter(bsn -> state(context, bsn) == Bundle.ACTIVE).toList();
                synchronized (boots) {
                    boots.add(active.toString());
                }
            }
        };
        OTHERS.forEach(bsn -> assertThat(state(context, bsn)).as(bsn + " before").isEqualTo(Bundle.ACTIVE));
        context.addServiceListener(listener, "(objectClass=" + MemoryManager.class.getName() + ")");
        try {
            gogo.run("lab:race " + race + " --runs 3");
        } finally {
            context.removeServiceListener(listener);
        }

        synchronized (boots) {
            assertThat(boots).as("the drivers running at each boot during lab:race " + race).hasSizeGreaterThanOrEqualTo(3)
                    .allMatch("[]"::equals);
        }
        OTHERS.forEach(bsn -> assertThat(state(context, bsn)).as(bsn + " after lab:race " + race)
                .isEqualTo(Bundle.ACTIVE));
    }

    private static int state(BundleContext context, String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b.getState();
            }
        }
        return Bundle.UNINSTALLED;
    }
}
