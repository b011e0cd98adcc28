package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Hashtable;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmlab.aeration.Aeration;
import org.mmlab.aeration.AerationStatus;
import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.annotation.Property;
import org.osgi.test.common.annotation.config.WithFactoryConfiguration;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Free page hinting in the running lab: aeration-bundle used under each design, stopped (its module
 * unloaded: the device let go by the design's rules) and started again while the workload allocates and
 * frees on two threads, with every page accounted for by mm:check at each step and no data loss; the
 * virtio REPORTING path end to end, device 0 reporting to its host, which discards the frames and hands
 * them back when the guest touches them again; aerate:compare and aerate:order. Device 0 is the class's
 * configuration, offering REPORTING as the lab's default device does (osgi-test makes it before the
 * tests and deletes it after). The bundle is stopped, not uninstalled: an uninstalled bundle stays
 * removal-pending, and the refresh that ends it restarts the race lab and this test's own bundle, which
 * import its package.
 */
@ExtendWith(SettledLab.class)
@WithFactoryConfiguration(factoryPid = VirtioBalloons.FACTORY_PID, name = "0", location = "?", properties = @Property(
        key = "offeredFeatures", value = "MUST_TELL_HOST,STATS_VQ,DEFLATE_ON_OOM,FREE_PAGE_HINT,PAGE_POISON,REPORTING"))
@ExtendWith(ServiceExtension.class)
@ExtendWith(BundleContextExtension.class)
class AerationInFelixTest {
    private static final String BUNDLE = "aeration-bundle";

    @RegisterExtension
    final FreshGuestSetup guest = new FreshGuestSetup();

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = Await.WAIT_MS)
    ConfigurationAdmin cm;

    @InjectService(timeout = Await.WAIT_MS)
    VirtioBalloons virtio;

    @InjectService(timeout = Await.WAIT_MS)
    CommandProcessor processor;

    private Configuration config;
    private GogoSession gogo;

    @BeforeEach
    void hintingWorkRunsOnlyWhenTheTestKicksIt() throws Exception {
        config = cm.getConfiguration(Aeration.PID, "?");
        gogo = new GogoSession(processor);
        Await.value(virtio.probed("0"), "device 0 probed");
    }

    @AfterEach
    void backToNoHinting() throws Exception {
        try {
            config.delete();
            Await.until("free page hinting off", () -> aeration().status().design().equals("off"));
            assertThat(guest.check()).isEqualTo("mm:check: OK");
        } finally {
            gogo.close();
        }
    }

    private static Aeration aeration() throws InterruptedException {
        return Services.get(Aeration.class);
    }

    /** The design, autoRun off; returns once device 0 registered with it. */
    private AerationStatus design(String design) throws Exception {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("design", design);
        props.put("autoRun", Boolean.FALSE);
        config.update(props);
        Await.until("device 0 registered with " + design, () -> {
            AerationStatus s = aeration().status();
            return s.design().equals(design) && s.device() != null;
        });
        return aeration().status();
    }

    @Test
    void stoppingAndStartingAerationBundleBesideTheWorkloadLosesNoPage() throws Exception {
        WorkloadControl workload = guest.workload();
        workload.start(11, 32, 2048, 2);
        Await.until("the workload mapping 16384 pages", () -> workload.status().mappedPages() >= 16_384);

        for (String d : new String[] {"reporting", "aerator", "reporting"}) {
            design(d);
            AerationStatus s = aeration().kick(64);
            System.out.printf("aeration beside the workload: %s hinted %d pages in %d calls%n", d, s.pagesHinted(),
                    s.hints());
            assertThat(s.pagesHinted()).as("%s hinted pages", d).isPositive();
            assertThat(guest.check()).as("mm:check beside the workload under %s", d).isEqualTo("mm:check: OK");
        }

        Bundle b = Arrays.stream(context.getBundles()).filter(x -> BUNDLE.equals(x.getSymbolicName())).findFirst()
                .orElseThrow();
        b.stop();
        assertThat(guest.check()).as("mm:check with aeration-bundle stopped, the workload running")
                .isEqualTo("mm:check: OK");
        b.start();
        AerationStatus back = design("aerator");
        assertThat(back.device()).isEqualTo("virtio-balloon 0");
        assertThat(aeration().kick(64).pagesHinted()).isPositive();

        WorkloadControl.Status stopped = workload.stop();
        assertThat(stopped.dataLoss()).as("data loss").isZero();
        assertThat(guest.check()).isEqualTo("mm:check: OK");
        assertThat(guest.memFreeKb()).as("MemFree, every page back").isEqualTo(guest.memFreeAtBootKb());
    }

    @Test
    void device0ReportsFreePagesToItsHostWhichDiscardsThemAndGivesThemBackWhenTouched() throws Exception {
        design("reporting");

        String kick = gogo.run("aerate:kick");
        AerationStatus s = aeration().status();

        assertThat(s.pagesHinted()).isPositive();
        assertThat(s.hostHeld()).as("the host holds every page reported (nothing touched them yet)")
                .isEqualTo(s.pagesHinted());
        assertThat(kick).contains(String.format("hinted: %d pages (%d MiB): the host holds %d pages", s.pagesHinted(),
                s.pagesHinted() >> 8, s.hostHeld()));
        assertThat(gogo.run("virtio:host 0")).contains(String.format("%d pages discarded", s.pagesHinted()));

        WorkloadControl workload = guest.workload();
        workload.start(3, 64, 4096, 1);
        Await.until("the workload mapping 65536 pages", () -> workload.status().mappedPages() >= 65_536);
        assertThat(workload.stop().dataLoss()).as("data loss").isZero();
        AerationStatus after = aeration().status();
        assertThat(after.hostReturned()).as("frames the host gave back when the workload touched them").isPositive();
        assertThat(after.hostHeld() + after.hostReturned()).isEqualTo(s.hostHeld());
        assertThat(guest.check()).isEqualTo("mm:check: OK");
    }

    @Test
    void compareRunsTheSameRoundsUnderEachDesignAndPutsTheConfigurationBack() throws Exception {
        design("aerator");

        String out = gogo.run("aerate:compare --rounds 1 --seed 3");

        System.out.print(out);
        assertThat(out).contains("aerate:compare: seed 3, 1 rounds of 256 allocations");
        assertThat(out).containsPattern("(?m)^off +0 +0 +0 ");
        assertThat(out).containsPattern("(?m)^aerator +[1-9]\\d* +[1-9]\\d* ");
        assertThat(out).containsPattern("(?m)^reporting +[1-9]\\d* +[1-9]\\d* ");
        Await.until("the aerator back after the comparison", () -> aeration().status().design().equals("aerator"));
        assertThat(gogo.run("aerate:order")).startsWith("page_reporting_order 9 (the aerator's AERATOR_MIN_ORDER");
    }

    @Test
    void orderWhileHintingIsOffShowsTheConfiguredValue() throws Exception {
        assertThat(gogo.run("aerate:order")).isEqualTo("page_reporting_order unset: the device's order, else"
                + " pageblock_order (9) (free page hinting is off)\n");
        assertThat(gogo.run("aerate:order 3")).isEqualTo("page_reporting_order 3 (free page hinting is off)\n");
    }
}
