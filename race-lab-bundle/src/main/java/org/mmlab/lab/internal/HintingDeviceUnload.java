package org.mmlab.lab.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mmlab.aeration.Aeration;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.framework.Bundle;

/**
 * Race 10 (seed 002, Duyck's 2019 aerator, [PATCH v1 5/6]: aerator_shutdown()'s "while
 * (atomic_read(&amp;a_dev_info-&gt;refcnt)) msleep(20);"): the hinting work has pages off the free lists, in the aerator's batch or in a
 * report in flight, when the admin thread stops and uninstalls virtio-bundle, whose remove unregisters
 * the hinting device. aerator_shutdown() without its wait for refcnt (variant aerator-no-wait) lets the
 * device go with the batch full: WARN_ON(!list_empty(batch)), the cycle then calls into a module that is
 * gone and oopses on a_dev_info NULL, and the batch's pages are lost to the free lists. The patch's
 * msleep(20) loop (aerator-v1) and mainline's page_reporting_unregister() (RCU, then
 * cancel_delayed_work_sync(): reporting-v5.7) wait for the pass, and every page comes back, whatever the
 * module policy (which only narrows the window: the design holds no module reference).
 */
final class HintingDeviceUnload extends CataloguedRace {
    static final String NO_WAIT = "aerator-no-wait";
    static final String V1 = "aerator-v1";
    static final String REPORTING = "reporting-v5.7";
    static final String AERATOR_SCRIPT = "hinting@aerator.react < admin@start,"
            + " admin@aerator.shutdown < hinting@call.enter:a_dev_info.react";
    static final String REPORTING_SCRIPT = "hinting@reporting.report < admin@start,"
            + " admin@module.going < hinting@call.enter:prdev.report";

    private final HintingSetup hinting = new HintingSetup();
    private byte[] virtioJar;

    HintingDeviceUnload() {
        super(new RaceMetadata("hinting-device-unload", "002",
                "while (atomic_read(&a_dev_info->refcnt)) msleep(20);",
                RaceMetadata.variants(
                        NO_WAIT, "the aerator's shutdown without its wait for refcnt: the device goes with its batch",
                        V1, "the aerator as posted: aerator_shutdown() sleeps 20 ms at a time until refcnt is 0",
                        REPORTING, "mainline free page reporting: page_reporting_unregister() clears pr_dev_info,"
                                + " synchronize_rcu(), cancel_delayed_work_sync()"),
                new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, NO_WAIT),
                List.of(Pass.survives(new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, V1)),
                        Pass.survives(new Setup(MigrationContract.MOVABLE_OPS_2025, ModulePolicy.NONE, REPORTING))),
                List.of("hinting", "admin"),
                "a 256 MiB guest whose virtio-balloon device 0 registered for hinting, autoRun off (the hinting"
                        + " thread runs the first pass); the admin stops and uninstalls virtio-bundle; under"
                        + " module-ref and osgi-drain the stop waits at GOING, the window closes, and aerator-no-wait"
                        + " still loses a later batch in some runs",
                AERATOR_SCRIPT,
                "at mm/aeration.c aerator_shutdown: WARN_ON(!list_empty(&a_dev_info->batch))"));
    }

    @Override
    public String script(Setup setup) {
        return setup.variant().equals(REPORTING) ? REPORTING_SCRIPT : script();
    }

    @Override
    public void prepareBatch(LabContext lab, Setup setup) throws Exception {
        Bundle virtio = lab.installed(VirtioUnloadRace.VIRTIO);
        if (virtio != null) {
            virtioJar = BundleBytes.of(virtio); // to install it again after each run's uninstall
        }
        boolean reporting = setup.variant().equals(REPORTING);
        hinting.prepareBatch(lab, setup.contract(), reporting ? "reporting" : "aerator",
                reporting ? "reporting" : "aerator", variant(setup));
    }

    /** prepare() reboots the guest for every run. */
    @Override
    public boolean freshGuestEachRun() {
        return true;
    }

    /**
     * A fresh guest, then virtio-bundle loaded into it (installed again while the guest reboots): loaded before
     * the reboot, its device would be probed twice, in the tainted guest and again in the fresh one.
     */
    @Override
    public Map<String, Runnable> prepare(LabContext lab, Setup setup) throws Exception {
        boolean reporting = setup.variant().equals(REPORTING);
        lab.reboot(setup.contract(), () -> lab.ensureInstalled(VirtioUnloadRace.VIRTIO, virtioJar));
        lab.ensureStarted(VirtioUnloadRace.VIRTIO, virtioJar);
        Aeration a = hinting.awaitDevice(lab, reporting ? "reporting" : "aerator", variant(setup));
        Map<String, Runnable> threads = new LinkedHashMap<>();
        threads.put("hinting", HintingSetup.pass(a));
        threads.put("admin", () -> {
            try {
                Bundle b = lab.bundle(VirtioUnloadRace.VIRTIO);
                b.stop();
                b.uninstall();
            } catch (Exception e) {
                throw new IllegalStateException("stopping " + VirtioUnloadRace.VIRTIO + ": " + e, e);
            }
        });
        return threads;
    }

    /** The design's own variant name (PID org.mmlab.aeration): v1, no-wait or v5.7. */
    private static String variant(Setup setup) {
        return switch (setup.variant()) {
            case NO_WAIT -> "no-wait";
            case V1 -> "v1";
            default -> "v5.7";
        };
    }

    /** Between runs: nothing; the next prepare() boots a fresh guest and installs virtio-bundle again. */
    @Override
    public void reset(LabContext lab) {
    }

    @Override
    public void cleanup(LabContext lab) throws Exception {
        lab.ensureStarted(VirtioUnloadRace.VIRTIO, virtioJar);
        hinting.restore(lab);
    }
}
