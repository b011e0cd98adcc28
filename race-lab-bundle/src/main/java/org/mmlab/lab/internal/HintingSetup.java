package org.mmlab.lab.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.mmlab.aeration.Aeration;
import org.mmlab.aeration.AerationStatus;
import org.mmlab.mm.KernelBug;
import org.mmlab.mm.MigrationContract;
import org.osgi.service.cm.Configuration;

/**
 * What the free page hinting races (10 to 12) share: a small guest (one zone, so that a pass of the design
 * and the race's other thread meet on the same free lists), the design and its variant (PID
 * org.mmlab.aeration) with autoRun off so that only the race's thread runs the work, a fresh guest each
 * run whose registered device has the initial pass pending (virtio-balloon device 0 offering REPORTING,
 * made if the lab has none), and the user's configuration put back at the end.
 */
final class HintingSetup {
    /** What device 0 offers for the races: every feature, REPORTING too (the lab's default device 0's offer). */
    static final String OFFER = "MUST_TELL_HOST,STATS_VQ,DEFLATE_ON_OOM,FREE_PAGE_HINT,PAGE_POISON,REPORTING";
    /** 256 MiB: DMA32 alone, 64 blocks of MAX_PAGE_ORDER, a pass or two of 32 pages. */
    static final long GUEST_BYTES = 256L << 20;

    private final Device0 device0 = new Device0();
    private Configuration config;
    /** The hinting configuration and guest size as the user had them (null: none), put back by restore. */
    private Dictionary<String, Object> userConfig;
    private long userBytes;
    private boolean saved;

    /**
     * The batch's design: design (off, aerator, reporting), its variant property (aerator, reporting) and
     * value, autoRun off; the other drivers set aside; the small guest running the contract.
     */
    void prepareBatch(LabContext lab, MigrationContract contract, String design, String variantProperty,
            String variant) throws Exception {
        if (!saved) {
            config = lab.cm().getConfiguration(Aeration.PID, "?");
            userConfig = config.getProperties();
            userBytes = lab.running().memoryBytes();
            saved = true;
            device0.set(lab, Map.of("offeredFeatures", OFFER)); // the hinting device, made if the lab has none
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("design", design);
        props.put(variantProperty, variant);
        props.put("autoRun", Boolean.FALSE);
        config.update(props);
        lab.setOtherDriversAside();
        lab.boot(contract, GUEST_BYTES);
    }

    /**
     * A fresh guest for the run, once its hinting device registered with the design and variant and the
     * design's initial pass is pending: the run's own thread is the one that runs it.
     */
    Aeration freshGuest(LabContext lab, MigrationContract contract, String design, String variant) throws Exception {
        lab.reboot(contract);
        return awaitDevice(lab, design, variant);
    }

    /** Waits until the running guest's hinting device registered with the design and variant, its first pass pending. */
    Aeration awaitDevice(LabContext lab, String design, String variant) throws Exception {
        long deadline = System.nanoTime() + LabContext.WAIT_MS * 1_000_000L;
        while (true) {
            Aeration a = lab.aeration();
            AerationStatus s = a.status();
            if (s.design().equals(design) && s.variant().equals(variant) && s.device() != null
                    && s.state().endsWith("work pending")) {
                return a;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("free page hinting did not come up as " + design + " (" + variant
                        + ") with a device and its first pass pending within " + LabContext.WAIT_MS / 1000
                        + " s: it is " + s.design() + " (" + s.variant() + "), device " + s.device() + ", " + s.state());
            }
            Thread.sleep(1); // the registration happens on SCR's thread, which says nothing when it is done
        }
    }

    /**
     * The hinting thread: the design's pending work, run now on this thread (one pass, as the workqueue
     * would). An oops or a BUG() in it kills the task, as in the kernel: dmesg has said so, the thread ends.
     * So does code of an uninstalled module that the JVM can no longer load (KASAN reported the call).
     */
    static Runnable pass(Aeration a) {
        return () -> {
            try {
                a.kick(1);
            } catch (KernelBug | NoClassDefFoundError e) {
                // the report is in dmesg
            } catch (IllegalStateException e) {
                if (e.getMessage() == null || !e.getMessage().startsWith("BUG: kernel NULL pointer dereference")) {
                    throw e;
                }
            }
        };
    }

    /** The user's hinting configuration and guest size back, the default contract. */
    void restore(LabContext lab) throws Exception {
        if (!saved) {
            return;
        }
        device0.restore(lab);
        if (userConfig == null) {
            config.delete();
        } else {
            config.update(userConfig);
        }
        if (userBytes == GUEST_BYTES) {
            lab.reboot(MigrationContract.MOVABLE_OPS_2025); // a fresh guest: the runs' debug switches gone
        } else {
            lab.boot(MigrationContract.MOVABLE_OPS_2025, userBytes);
        }
        saved = false;
        config = null;
        userConfig = null;
    }
}
