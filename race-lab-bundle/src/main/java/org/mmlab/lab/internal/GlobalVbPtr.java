package org.mmlab.lab.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.mm.lab.ModulePolicy;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.service.cm.Configuration;
import org.osgi.util.promise.Promise;

/**
 * Race 3 (seed 003, Tsirkin on the v7 virtio balloon migration patch: "What if there is more than one
 * balloon device?"): compaction has isolated a page of virtio-balloon device 0 and is about to call
 * the driver's migratepage when the admin thread adds device 1, whose probe sets the module-wide
 * vb_ptr. With the v7 design (vbPtr=global, PID org.mmlab.virtio.driver) the callback then talks to
 * device 1: the new page goes on device 1's list, device 1's host is told to inflate it and to deflate
 * device 0's old page, which it never held, while device 0's host keeps the old frame the guest frees.
 * The merged design finds the device from the page's b_dev_info and is clean on the same schedule.
 */
final class GlobalVbPtr extends CataloguedRace {
    static final String GLOBAL = "global-vb-ptr";
    static final String PER_DEVICE = "per-device";
    /** The device the admin thread adds: factory configuration "1" of org.mmlab.virtio.balloon. */
    static final String DEVICE = "1";
    static final String DEVICE_PID = VirtioBalloons.FACTORY_PID + "~" + DEVICE;
    /** Pages device 0 holds for the run (race 1's, so that its search for a balloon page says so). */
    static final int PAGES = VirtioUnloadRace.PAGES;

    /** The driver's configuration as the user had it (null: none), put back by cleanup. */
    private Dictionary<String, Object> userDriverConfig;
    private Configuration driverConfig;
    private Configuration device1;
    /** Device 0's configuration, if the race had to make it (a lab started without the default device). */
    private Configuration madeDevice;

    GlobalVbPtr() {
        super(new RaceMetadata("probe-during-migration", "003", "What if there is more than one balloon device?",
                RaceMetadata.variants(
                        GLOBAL, "virtballoon_migratepage talks to vb_ptr, the device probed last, as the reviewed v7"
                                + " patch did (vbPtr=global)",
                        PER_DEVICE, "virtballoon_migratepage talks to the device of the page's b_dev_info, as merged"
                                + " (vbPtr=per-device)"),
                new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, GLOBAL),
                List.of(Pass.survives(new Setup(MigrationContract.BALLOON_2012, ModulePolicy.NONE, PER_DEVICE))),
                List.of("compaction", "admin"),
                "adds virtio-balloon device " + DEVICE + " for the run; the module policy plays no part;"
                        + " global-vb-ptr fails under 2016 and 2025 too (the driver picks the device, whatever the"
                        + " contract)",
                "admin@virtio.probed < compaction@call.enter:b_dev_info.migratepage",
                "WARNING: virtio-balloon host " + DEVICE + ": deflate of a frame it does not hold"));
    }

    @Override
    public Map<String, Runnable> prepare(LabContext lab, Setup setup) throws Exception {
        if (lab.cm().listConfigurations("(service.pid=" + DEVICE_PID + ")") != null) {
            throw new IllegalStateException("race " + name() + " adds virtio-balloon device " + DEVICE
                    + ": delete your configuration " + DEVICE_PID + " first");
        }
        if (driverConfig == null) { // the batch's first run: later runs keep the setting (see reset)
            driverConfig = lab.cm().getConfiguration(VirtioBalloons.DRIVER_PID, "?");
            userDriverConfig = driverConfig.getProperties();
            LabContext.await(lab.virtio().setVbPtr(setup.variant().equals(GLOBAL) ? "global" : "per-device"),
                    "the virtio driver to take vbPtr");
        }
        lab.reboot(setup.contract());
        lab.kcompactd(false);
        if (madeDevice == null && lab.cm().listConfigurations(
                "(service.factoryPid=" + VirtioBalloons.FACTORY_PID + ")") == null) {
            madeDevice = lab.cm().getFactoryConfiguration(VirtioBalloons.FACTORY_PID, "0", "?");
            madeDevice.update(new Hashtable<>());
        }
        LabContext.await(lab.virtio().probed(Device0.NAME), "virtio-balloon device 0 to be probed");
        lab.setTarget(Device0.NAME, PAGES);
        MemoryManager mm = lab.mm();
        MmLab mmLab = lab.mmLab();
        VirtioBalloons virtio = lab.virtio();
        int pfn = VirtioUnloadRace.firstBalloonPage(lab);
        Map<String, Runnable> threads = new LinkedHashMap<>();
        threads.put("compaction", () -> mm.migrateRange(pfn, pfn + 1, MigrateMode.SYNC));
        threads.put("admin", () -> {
            try {
                device1 = lab.cm().getFactoryConfiguration(VirtioBalloons.FACTORY_PID, DEVICE, "?");
                device1.update(new Hashtable<>());
                // its probe returned (and set vb_ptr)
                LabContext.await(virtio.probed(DEVICE), "virtio-balloon device " + DEVICE + " to be probed");
            } catch (Exception e) {
                throw new IllegalStateException("adding virtio-balloon device " + DEVICE + ": " + e, e);
            }
            // the probe ran on SCR's thread, which the scheduler does not control: the admin marks its end
            mmLab.injectionPoint(InjectionPoints.VIRTIO_PROBED, -1);
        });
        return threads;
    }

    /**
     * Between runs: device 1 goes; the driver keeps the batch's vbPtr. The next prepare() reboots the
     * guest, which gives back every page the run left (see cleanup), and readies device 0 again.
     */
    @Override
    public void reset(LabContext lab) throws Exception {
        removeDevice1(lab);
    }

    @Override
    public void cleanup(LabContext lab) throws Exception {
        if (driverConfig != null) {
            if (userDriverConfig == null) {
                driverConfig.delete(); // back to per-device
            } else {
                driverConfig.update(userDriverConfig);
            }
            driverConfig = null;
            userDriverConfig = null;
        }
        removeDevice1(lab);
        // a fresh guest: under global-vb-ptr device 0's remove ends in the lost-pages BUG (isolated_pages 1)
        lab.reboot(MigrationContract.MOVABLE_OPS_2025);
        LabContext.await(lab.virtio().probed(Device0.NAME), "virtio-balloon device 0 to be probed");
        lab.setTarget(Device0.NAME, 0);
        if (madeDevice != null) {
            madeDevice.delete();
            madeDevice = null;
        }
        lab.kcompactd(true);
    }

    private void removeDevice1(LabContext lab) throws Exception {
        if (device1 != null) {
            // under global-vb-ptr its remove refuses: its balloon has device 0's page, isolated_pages -1
            Promise<String> gone = lab.virtio().removed(DEVICE);
            device1.delete();
            device1 = null;
            LabContext.await(gone, "virtio-balloon device " + DEVICE + " to be removed");
        }
    }
}
