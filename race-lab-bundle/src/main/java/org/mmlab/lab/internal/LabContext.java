package org.mmlab.lab.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.mmlab.aeration.Aeration;
import org.mmlab.balloon.BalloonSettings;
import org.mmlab.lab.internal.sched.ControlledScheduler;
import org.mmlab.mm.GuestRequired;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.PromiseWait;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.admin.GuestConfig;
import org.mmlab.mm.admin.GuestConfiguration;
import org.mmlab.mm.lab.DebugSwitches;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.virtio.VirtioBalloonState;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.promise.Promise;
import org.osgi.util.tracker.ServiceTracker;

/**
 * What a race needs from the running lab, all through services: the guest and its configuration, its
 * switches and checks, the balloon infrastructure's and the virtio driver's settings and devices, and
 * the bundles. Services that go with a reboot or with virtio-bundle are tracked; what takes time is
 * awaited (a promise, a service), never read off a command's output.
 */
final class LabContext implements AutoCloseable {
    static final long WAIT_MS = 15_000;
    /**
     * The guest's memory while a race runs (one zone, DMA32): small, so that the boot after a run that reported
     * something, mm:check after every run and a race's scans for its pages cost well under a millisecond
     * each (a 4 GiB guest costs 10-20 ms a boot and 20-40 ms a check). The user's size comes back at the end.
     */
    static final long RACE_GUEST_BYTES = 128L << 20;

    final BundleContext context;
    private final LabServices services;
    private final ServiceTracker<MemoryManager, MemoryManager> mm;
    private final ServiceTracker<MovablePages, MovablePages> movable;
    private final ServiceTracker<MmLab, MmLab> mmLab;
    private final ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> cm;
    private final ServiceTracker<VirtioBalloons, VirtioBalloons> virtio;
    private final ServiceTracker<Aeration, Aeration> aeration;
    /** The DS components that are up: a batch's end waits for those its reboots took down. */
    final LabComponents components;
    /** The guest a run reported something in (it may be corrupt: the next bootWith reboots it), or null. */
    private MemoryManager tainted;
    /** The guest's memory before the batch first rebooted it, or 0 if it has not. */
    private long userBytes;
    /** The drivers a batch set aside, which its end starts again. */
    private final OtherDrivers otherDrivers = new OtherDrivers();
    /** Configuration Admin's event thread as a barrier, one for the batch. */
    private final ConfigEventQueue configEvents;

    LabContext(BundleContext context, LabServices services) {
        this.context = context;
        this.services = services;
        this.mm = open(new ServiceTracker<>(context, MemoryManager.class, null));
        this.movable = open(new ServiceTracker<>(context, MovablePages.class, null));
        this.mmLab = open(new ServiceTracker<>(context, MmLab.class, null));
        this.cm = open(new ServiceTracker<>(context, ConfigurationAdmin.class, null));
        this.virtio = open(new ServiceTracker<>(context, VirtioBalloons.class, null));
        this.aeration = open(new ServiceTracker<>(context, Aeration.class, null));
        this.components = new LabComponents(context);
        this.configEvents = new ConfigEventQueue(context);
    }

    private static <T> ServiceTracker<T, T> open(ServiceTracker<T, T> t) {
        t.open();
        return t;
    }

    /** A run reported something in the running guest: the next {@link #bootWith} reboots it. */
    void taint() throws InterruptedException {
        tainted = mm();
    }

    /** Work a race does on its own thread while the guest reboots on Configuration Admin's. */
    interface Meanwhile {
        Meanwhile NOTHING = () -> {
        };

        void run() throws Exception;
    }

    /**
     * The guest running this contract with the batch's memory ({@link #batchBytes}): rebooted (see {@link #boot})
     * unless it runs them already and no run reported anything in it. A batch's runs then share one boot.
     */
    void bootWith(MigrationContract contract) throws Exception {
        bootWith(contract, Meanwhile.NOTHING);
    }

    /**
     * {@link #bootWith(MigrationContract)}, doing meanwhile on this thread while the guest reboots: work that
     * needs no guest (installing a driver bundle again) then adds nothing to the time a run waits for the boot.
     */
    void bootWith(MigrationContract contract, Meanwhile meanwhile) throws Exception {
        boot(contract, batchBytes(), meanwhile);
    }

    /** The batch's guest memory: what a race booted with (boot), else {@link #RACE_GUEST_BYTES}. */
    private long batchBytes() {
        return userBytes != 0 ? running().memoryBytes() : RACE_GUEST_BYTES;
    }

    /**
     * The guest running this contract with this much memory: unless it does already and no run
     * reported anything in it, the guest reboots with them (GuestConfig), the rest of its configuration
     * kept; this returns once the rebooted guest runs.
     */
    void boot(MigrationContract contract, long memoryBytes) throws Exception {
        boot(contract, memoryBytes, Meanwhile.NOTHING);
    }

    private void boot(MigrationContract contract, long memoryBytes, Meanwhile meanwhile) throws Exception {
        GuestConfiguration now = running();
        if (mm() != tainted && now.migrationContract() == contract && now.memoryBytes() == memoryBytes) {
            meanwhile.run();
            return;
        }
        userBytes = userBytes != 0 ? userBytes : now.memoryBytes();
        reboot(contract, memoryBytes, meanwhile);
    }

    /**
     * A fresh guest running this contract with the batch's memory ({@link #batchBytes}), the rest of its
     * configuration kept, whatever runs now.
     */
    void reboot(MigrationContract contract) throws Exception {
        reboot(contract, Meanwhile.NOTHING);
    }

    /** {@link #reboot(MigrationContract)}, doing meanwhile on this thread while the guest reboots. */
    void reboot(MigrationContract contract, Meanwhile meanwhile) throws Exception {
        long bytes = batchBytes();
        userBytes = userBytes != 0 ? userBytes : running().memoryBytes();
        reboot(contract, bytes, meanwhile);
    }

    /** A fresh guest running this contract with this much memory, the rest of its configuration kept. */
    void reboot(MigrationContract contract, long memoryBytes) throws Exception {
        reboot(contract, memoryBytes, Meanwhile.NOTHING);
    }

    /**
     * The reboot, on Configuration Admin's thread, while this one does meanwhile; returns once the guest runs and
     * SCR has re-made the components that hold it (see {@link #awaitConfigurationEvents}).
     */
    private void reboot(MigrationContract contract, long memoryBytes, Meanwhile meanwhile) throws Exception {
        Promise<GuestConfiguration> booted = services.config().update(Map.of("migrationContract", contract.value(),
                "memorySize", Long.toString(memoryBytes)));
        meanwhile.run();
        await(booted, "the guest to reboot with " + contract.value() + " and " + memoryBytes + " bytes");
        awaitConfigurationEvents();
        tainted = null;
    }

    /**
     * The balloon drivers other than virtio set aside until the batch ends ({@link OtherDrivers}): before its
     * first reboot, so that no reboot probes their devices.
     */
    void setOtherDriversAside() throws BundleException {
        otherDrivers.setAside(this);
    }

    /** The drivers set aside started again (at the batch's end, in the guest it leaves). */
    void putOtherDriversBack() throws BundleException {
        otherDrivers.putBack();
    }

    /**
     * Returns once Configuration Admin's event thread has delivered every configuration event fired so far
     * ({@link ConfigEventQueue}): what SCR does for a change (re-making the components that hold a rebooted
     * guest, activating a device probed again) is then done, also what it does after the change's promise
     * resolved. Before, the promise of a reboot or of device 0's probe let a race go on while that thread was
     * still activating device 0: when the run's admin stopped virtio-bundle, or its task took every free page,
     * in the middle, SCR gave the activation up and disposed of virtio's device registry, which removed device 0
     * (about 1 replay in 4,000 of race 1's design under race 8 started so).
     */
    void awaitConfigurationEvents() throws Exception {
        ConfigurationAdmin admin = cm();
        ControlledScheduler.awaitOutside(() -> {
            configEvents.drain(admin, WAIT_MS);
            return null;
        });
    }

    /** After a batch: the guest with the memory it had before the batch rebooted it (the contract kept). */
    void restoreMemory() throws Exception {
        if (userBytes != 0 && running().memoryBytes() != userBytes) {
            boot(contract(), userBytes);
        }
        userBytes = 0;
    }

    /** The running guest's configuration. */
    GuestConfiguration running() {
        return services.config().running()
                .orElseThrow(() -> new IllegalStateException(GuestRequired.NO_GUEST));
    }

    /** The running guest's migration contract. */
    MigrationContract contract() {
        return running().migrationContract();
    }

    /** kcompactd0 stopped, so that only the race's threads migrate; or started again. */
    void kcompactd(boolean on) {
        if (on) {
            services.compactor().startKcompactd();
        } else {
            services.compactor().stopKcompactd();
        }
    }

    /** A debug checker or design switch of the running guest (what mm:debug switches). */
    void debug(DebugSwitches.Switch which, boolean on) {
        services.debug().set(which, on);
    }

    /** KASAN's quarantine of the running guest. */
    void kasanQuarantine(int objects) {
        services.debug().setKasanQuarantine(objects);
    }

    /** mm:check of the running guest. */
    CheckResult check() {
        return services.check().check();
    }

    /**
     * Waits until the balloon infrastructure runs with this leak path (Configuration Admin delivers a change of
     * PID org.mmlab.balloon asynchronously; the BalloonSettings service carries the value in force).
     */
    void awaitLeakPath(String path) throws InvalidSyntaxException, InterruptedException {
        String filter = "(" + BalloonSettings.LEAK_PATH + "=" + path + ")";
        // the usual case, after a batch's reboot (whose end awaits SCR's re-making of the balloon infrastructure):
        // the service is there, and a look finds it without a tracker's listener added and removed
        if (context.getServiceReferences(BalloonSettings.class, filter).size() > 0) {
            return;
        }
        ServiceTracker<BalloonSettings, BalloonSettings> t = new ServiceTracker<>(context, context.createFilter("(&("
                + Constants.OBJECTCLASS + "=" + BalloonSettings.class.getName() + ")" + filter + ")"), null);
        t.open();
        try {
            if (t.waitForService(WAIT_MS) == null) {
                throw new IllegalStateException("the balloon infrastructure did not take leakPath=" + path + " within "
                        + WAIT_MS / 1000 + " s (see the log: log warn)");
            }
        } finally {
            t.close();
        }
    }

    /** The virtio-balloon devices of the running virtio-bundle (after a reinstall, the new bundle's). */
    VirtioBalloons virtio() throws InterruptedException {
        VirtioBalloons v = virtio.waitForService(WAIT_MS);
        if (v == null) {
            throw new IllegalStateException("virtio-bundle does not run (VirtioBalloons service missing)");
        }
        return v;
    }

    /** The device's host asks for pages; returns once the driver reached them, or throws why it stopped. */
    VirtioBalloonState setTarget(String device, long pages) throws Exception {
        return await(virtio().setTarget(device, pages), "virtio-balloon device " + device + " to reach " + pages
                + " pages");
    }

    /**
     * The value of a promise of the lab's, within {@link #WAIT_MS}; its failure (or the wait's) thrown. A race's
     * simulated thread waits for it holding the baton: the work is outside the run (Configuration Admin's
     * thread, a driver's worker), and how long it takes must decide nothing.
     */
    static <T> T await(Promise<T> p, String what) throws Exception {
        return await(p, what, WAIT_MS);
    }

    /** {@link #await(Promise, String)} within ms milliseconds. */
    static <T> T await(Promise<T> p, String what, long ms) throws Exception {
        return ControlledScheduler.awaitOutside(() -> PromiseWait.within(p, ms, what));
    }

    /** The running guest's view of movable pages (page->private, movable_ops). */
    MovablePages movablePages() throws InterruptedException {
        return await(movable, "MovablePages");
    }

    /** The running guest's race-lab controls (module policy, dmesg marks, injection points). */
    MmLab mmLab() throws InterruptedException {
        return await(mmLab, "MmLab");
    }

    /** Configuration Admin, for driver configurations (virtio devices). */
    ConfigurationAdmin cm() throws InterruptedException {
        return await(cm, "Configuration Admin");
    }

    /** The running guest's free page hinting (aeration-bundle; after a reboot, the new guest's). */
    Aeration aeration() throws InterruptedException {
        return await(aeration, "Aeration");
    }

    /** Free page hinting now, or null while aeration-bundle is down: no wait (a storm's own operation on it). */
    Aeration aerationNow() {
        return aeration.getService();
    }

    /** The running guest's memory manager (after a reboot, the new guest's). */
    MemoryManager mm() throws InterruptedException {
        return await(mm, "MemoryManager");
    }

    private static <T> T await(ServiceTracker<T, T> t, String what) throws InterruptedException {
        T s = t.waitForService(WAIT_MS);
        if (s == null) {
            throw new IllegalStateException("no guest is running (" + what + " service missing)");
        }
        return s;
    }

    /** The bundle with this symbolic name. */
    Bundle bundle(String bsn) {
        Bundle b = installed(bsn);
        if (b == null) {
            throw new IllegalStateException("bundle " + bsn + " is not installed");
        }
        return b;
    }

    /**
     * One install at a time, as load_module() takes module_mutex for its checks; two at once (a storm's two
     * drivers) also corrupted the bnd launcher's start-level listener (a HashMap: ConcurrentModificationException).
     */
    private static final Object INSTALLING = new Object();

    /** The bundle with this symbolic name, or null if none is installed. */
    Bundle installed(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst()
                .orElse(null);
    }

    /**
     * The bundle started, installed again from jar if it was uninstalled (insmod after rmmod). Transiently, as
     * insmod is: the framework then writes nothing to its storage, which a race that starts a driver every run
     * would otherwise pay for each time.
     */
    Bundle ensureStarted(String bsn, byte[] jar) throws Exception {
        Bundle b = ensureInstalled(bsn, jar);
        if (b.getState() != Bundle.ACTIVE) {
            b.start(Bundle.START_TRANSIENT);
        }
        return b;
    }

    /**
     * The bundle, installed again from jar and resolved if it was uninstalled: a new module whose code the
     * next start loads in a new class loader. Neither needs a guest, so a race does it while the guest reboots.
     */
    Bundle ensureInstalled(String bsn, byte[] jar) throws Exception {
        Bundle b;
        synchronized (INSTALLING) {
            b = installed(bsn);
            if (b == null) {
                if (jar == null) {
                    throw new IllegalStateException("bundle " + bsn + " is not installed, and the lab has no copy of it");
                }
                b = context.installBundle("mmlab-lab:" + bsn, new ByteArrayInputStream(jar));
                drainStartLevelQueue();
            }
        }
        if (b.getState() == Bundle.INSTALLED) {
            context.getBundle(Constants.SYSTEM_BUNDLE_ID).adapt(FrameworkWiring.class).resolveBundles(List.of(b));
        }
        return b;
    }

    /** Returns when the start level the launcher gave an install or update is set (StartLevelQueue). */
    void drainStartLevelQueue() throws InterruptedException {
        StartLevelQueue.drain(context, WAIT_MS);
    }

    @Override
    public void close() throws IOException {
        try {
            configEvents.close();
        } finally {
            mm.close();
            movable.close();
            mmLab.close();
            cm.close();
            virtio.close();
            aeration.close();
            components.close();
        }
    }
}
