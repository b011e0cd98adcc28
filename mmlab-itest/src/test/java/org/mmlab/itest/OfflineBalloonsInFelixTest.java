package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmlab.itest.MmOutput.lastLine;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmlab.hyperv.HvBalloons;
import org.mmlab.xen.XenBalloons;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The two balloons without balloon compaction, Hyper-V's and XEN's, in a running lab, driven from the shell
 * as a user drives them: each balloons PageOffline pages its host holds, mm:check counts them through the
 * device's own check, bad commands are one line and change nothing, and uninstalling both bundles after
 * their balloons went back to 0 loses nothing (MemFree is what it was at boot). Neither driver gives pages
 * back when it goes, as in the kernel, so each test ends with its balloons at 0.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class OfflineBalloonsInFelixTest {
    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    CommandProcessor processor;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    ConfigurationAdmin cm;

    @InjectService(cardinality = 0)
    ServiceAware<HvBalloons> hvServices;

    @InjectService(cardinality = 0)
    ServiceAware<XenBalloons> xenServices;

    @RegisterExtension
    final FreshGuestSetup guest = new FreshGuestSetup();

    GogoSession gogo;
    final List<Configuration> configs = new ArrayList<>();

    @BeforeEach
    void hvAndXenDeviceZero() throws Exception {
        gogo = new GogoSession(processor);
        for (String pid : List.of(HvBalloons.FACTORY_PID, XenBalloons.FACTORY_PID)) {
            Configuration c = cm.getFactoryConfiguration(pid, "0", "?");
            c.update(new Hashtable<>());
            configs.add(c);
        }
        awaitDevices();
    }

    @AfterEach
    void deleteTheDevicesAndCheck() throws Exception {
        try {
            for (String bsn : List.of("hyperv-bundle", "xen-bundle")) {
                Bundle b = bundle(bsn);
                if (b != null && b.getState() != Bundle.ACTIVE) {
                    b.start();
                }
            }
            HvBalloons hv = hvServices.waitForService(VirtioInFelixTest.WAIT_MS);
            XenBalloons xen = xenServices.waitForService(VirtioInFelixTest.WAIT_MS);
            awaitDevices();
            // neither driver gives its pages back when it goes (the kernel's leak: mm:check would call the
            // devices orphaned), so the hosts take the balloons back to 0 first
            gogo.run("hv:target 0 0");
            gogo.run("xen:target 0 0");
            for (Configuration c : configs) {
                c.delete();
            }
            Await.until("no device left", () -> hv.devices().isEmpty() && xen.devices().isEmpty());
            assertThat(guest.check()).isEqualTo("mm:check: OK");
        } finally {
            gogo.close();
        }
    }

    @Test
    void hvTargetBalloonsPagesTheHostHoldsAndEveryCommandShowsThem() throws Exception {
        assertThat(gogo.run("hv:target 0 64M")).contains("device 0: 16384 pages (64 MiB) ballooned, the host holds"
                + " 16384 frames");

        assertThat(gogo.run("hv:devices")).containsPattern("(?m)^0\\s+16384\\s+16384\\s+16384\\s");
        assertThat(gogo.run("balloon:list")).contains("hv-balloon 0");
        assertThat(gogo.run("hv:host 0")).containsPattern("(?m)^held\\s+16384 frames");
        String check = gogo.run("mm:check");
        assertThat(check).contains("ballooned 16384 pages (host target 16384), host holds 16384");
        assertThat(lastLine(check)).isEqualTo("mm:check: OK");
        assertThat(guest.memFreeKb()).isEqualTo(guest.memFreeAtBootKb() - 16384 * 4);
        assertThat(gogo.run("hv:target 0 0")).contains("device 0: 0 pages");
        assertThat(guest.memFreeKb()).isEqualTo(guest.memFreeAtBootKb());
    }

    @Test
    void xenTargetBalloonsPagesTheHypervisorHoldsAndBackendsBorrowThem() throws Exception {
        assertThat(gogo.run("xen:target 0 64M")).contains("device 0: a balloon of 16384 pages (64 MiB), 16384 on"
                + " ballooned_pages, 0 lent; the hypervisor holds 16384 frames");

        assertThat(gogo.run("xen:devices")).containsPattern("(?m)^0\\s+\\d+\\s+16384\\s+16384\\s+0\\s+16384\\s+\\d+"
                + "\\s+BP_DONE$");
        assertThat(gogo.run("balloon:list")).contains("xen-balloon 0");
        assertThat(gogo.run("xen:stats 0")).containsPattern("(?m)^info/low_kb\\s+65536$");
        assertThat(gogo.run("xen:alloc 0 100")).contains("the backend holds 100 more pages").contains("100 lent in all");
        String check = gogo.run("mm:check");
        assertThat(check).contains("ballooned 16284 pages, 100 lent to backends");
        assertThat(lastLine(check)).isEqualTo("mm:check: OK");
        assertThat(gogo.run("xen:free 0 100")).contains("100 pages back on ballooned_pages; 0 lent");
        assertThat(guest.memFreeKb()).isEqualTo(guest.memFreeAtBootKb() - 16384 * 4);
        assertThat(gogo.run("xen:target 0 0")).contains("device 0: a balloon of 0 pages");
        assertThat(guest.memFreeKb()).isEqualTo(guest.memFreeAtBootKb());
    }

    @Test
    void badArgumentsAreOneLineErrorsThatChangeNothing() throws Exception {
        gogo.run("hv:target 0 16M");
        gogo.run("xen:target 0 16M");
        for (String bad : new String[] {"hv:target 7 1G", "hv:target 0 12x", "hv:target 0 99T", "hv:target 0 ''",
            "hv:hotadd 0 1M", "hv:host 9", "xen:target 7 1G", "xen:target 0 12x", "xen:target 0 99T",
            "xen:target 0 -1", "xen:target 0 ''", "xen:alloc 0 0", "xen:alloc 0 99999999", "xen:alloc 0 x",
            "xen:free 0 1", "xen:stats 9"}) {
            assertThatThrownBy(() -> gogo.run(bad)).as(bad).satisfies(e -> {
                String message = GogoSession.rootCause(e).getMessage();
                assertThat(message).doesNotContain("\n").doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z]");
            });
        }
        assertThatThrownBy(() -> gogo.run("xen:target 7 1G")).satisfies(e -> assertThat(GogoSession.rootCause(e))
                .hasMessage("no XEN balloon '7'; devices: 0"));
        assertThatThrownBy(() -> gogo.run("xen:free 0 1")).satisfies(e -> assertThat(GogoSession.rootCause(e))
                .hasMessage("the backends hold no pages: take some with xen:alloc first"));
        XenBalloons xen = xenServices.waitForService(VirtioInFelixTest.WAIT_MS);
        assertThat(xen.device("0").orElseThrow().size()).isEqualTo(4096);
        assertThat(hvServices.waitForService(VirtioInFelixTest.WAIT_MS).device("0").orElseThrow().ballooned())
                .isEqualTo(4096);
    }

    @Test
    void uninstallingBothBundlesAfterTheirBalloonsWentBackLosesNothing() throws Exception {
        gogo.run("hv:target 0 64M");
        gogo.run("xen:target 0 64M");
        gogo.run("xen:alloc 0 10");
        gogo.run("xen:free 0 10");
        gogo.run("hv:target 0 0");
        gogo.run("xen:target 0 0");
        List<byte[]> jars = new ArrayList<>();
        for (String bsn : List.of("hyperv-bundle", "xen-bundle")) {
            Bundle b = bundle(bsn);
            jars.add(BundleJar.of(b));
            b.uninstall();
        }

        assertThat(gogo.run("balloon:list")).doesNotContain("hv-balloon").doesNotContain("xen-balloon");
        String check = gogo.run("mm:check");
        assertThat(lastLine(check)).isEqualTo("mm:check: OK");
        assertThat(check).doesNotContain("frames held");
        assertThat(guest.memFreeKb()).isEqualTo(guest.memFreeAtBootKb());

        for (byte[] jar : jars) { // insmod again, through the bundle's own context
            context.getBundle().getBundleContext().installBundle("mmlab-itest:offline-" + jars.indexOf(jar),
                    new ByteArrayInputStream(jar)).start();
        }
        awaitDevices();
        assertThat(gogo.run("xen:target 0 16M")).contains("a balloon of 4096 pages");
    }

    private void awaitDevices() throws Exception {
        HvBalloons hv = hvServices.waitForService(VirtioInFelixTest.WAIT_MS);
        XenBalloons xen = xenServices.waitForService(VirtioInFelixTest.WAIT_MS);
        Await.until("Hyper-V and XEN device 0", () -> hv.device("0").isPresent() && xen.device("0").isPresent());
    }

    private Bundle bundle(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst()
                .orElse(null);
    }
}
