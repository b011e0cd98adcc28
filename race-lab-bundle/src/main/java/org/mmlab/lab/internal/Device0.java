package org.mmlab.lab.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.Map;

import org.mmlab.virtio.VirtioBalloons;
import org.osgi.service.cm.Configuration;
import org.osgi.util.promise.Promise;

/**
 * virtio device 0 for a batch of runs: its configuration (factory PID org.mmlab.virtio.balloon) asks
 * the host for a number of pages at every probe (hostTarget), so each start of virtio-bundle inflates
 * the balloon without a shell command; at the end of the batch the configuration is put back as it
 * was (or deleted, if the batch made it: a lab started without the default device). virtio's probe and
 * removal are promises of its VirtioBalloons service, which each change waits for. Another driver's
 * device 0 likewise, by its factory PID (race 9's VMware balloon), without that wait: its race awaits
 * the device's state itself.
 */
final class Device0 {
    static final String NAME = "0";

    private final String factoryPid;
    private Configuration config;
    /** Its properties before the batch, or null if the batch made it. */
    private Dictionary<String, Object> before;

    /** virtio's device 0. */
    Device0() {
        this(VirtioBalloons.FACTORY_PID);
    }

    /** Device 0 of the driver whose devices are factory configurations of factoryPid. */
    Device0(String factoryPid) {
        this.factoryPid = factoryPid;
    }

    /** Device 0's host asks for this many pages at each probe (it restarts with that now). Idempotent. */
    void askFor(LabContext lab, int pages) throws Exception {
        if (config == null) {
            set(lab, Map.of("hostTarget", String.valueOf(pages)));
        }
    }

    /**
     * Device 0 with these properties added to what it has (made if the lab has none): it is probed again
     * with them, unless it has them already (a batch's later runs), and then its running probe is awaited.
     * What it had before the first change is what {@link #restore} gives back.
     */
    void set(LabContext lab, Map<String, Object> props) throws Exception {
        if (config == null) {
            Configuration[] existing = lab.cm().listConfigurations("(&(service.factoryPid=" + factoryPid
                    + ")(|(name=" + NAME + ")(service.pid=*~" + NAME + ")))");
            config = existing != null ? existing[0] : lab.cm().getFactoryConfiguration(factoryPid, NAME, "?");
            before = existing != null ? existing[0].getProperties() : null;
        }
        Dictionary<String, Object> now = config.getProperties();
        if (now != null && props.entrySet().stream().allMatch(e -> e.getValue().equals(now.get(e.getKey())))) {
            if (factoryPid.equals(VirtioBalloons.FACTORY_PID)) {
                LabContext.await(lab.virtio().probed(NAME), "virtio-balloon device " + NAME + " to be probed");
            }
            return;
        }
        Dictionary<String, Object> p = now == null ? new Hashtable<>() : copy(now);
        props.forEach(p::put);
        change(lab, now != null, true, () -> config.update(p));
    }

    /** True if the lab had device 0's configuration before the batch changed it. */
    boolean existedBefore() {
        return before != null;
    }

    /**
     * Waits until device 0 runs (probed by the virtio-bundle started last) with this many pages in the
     * balloon, none isolated, and the guest told the host so (the driver's fill or leak has returned).
     */
    static void awaitPages(LabContext lab, int pages) throws Exception {
        LabContext.await(lab.virtio().probed(NAME), "virtio-balloon device " + NAME + " to be probed");
        lab.setTarget(NAME, pages);
    }

    /** The configuration as it was before the batch: device 0 probed again with it, or gone if the batch made it. */
    void restore(LabContext lab) throws Exception {
        if (config == null) {
            return;
        }
        Configuration c = config;
        Dictionary<String, Object> b = before;
        config = null;
        before = null;
        change(lab, true, b != null, () -> {
            if (b == null) {
                c.delete();
            } else {
                c.update(b);
            }
        });
    }

    /** The change, and for virtio's device 0 the wait for Configuration Admin's thread to have applied it. */
    private void change(LabContext lab, boolean configured, boolean runsAfter, Change change) throws Exception {
        if (factoryPid.equals(VirtioBalloons.FACTORY_PID)) {
            reconfigure(lab, configured, runsAfter, change);
        } else {
            change.apply();
        }
    }

    /** A change of device 0's configuration, done on Configuration Admin's thread. */
    private interface Change {
        void apply() throws IOException;
    }

    /**
     * Changes device 0's configuration and waits until Configuration Admin's thread has removed the device
     * that ran and, when one is to run after it, probed the new one, and is done with the change. A configured
     * device is awaited first: after a reboot, SCR probes the devices again on its own time, and that probe is
     * not the new one's.
     */
    private static void reconfigure(LabContext lab, boolean configured, boolean runsAfter, Change change)
            throws Exception {
        VirtioBalloons virtio = lab.virtio();
        if (configured) {
            LabContext.await(virtio.probed(NAME), "virtio-balloon device " + NAME + " to be probed");
        }
        Promise<String> removed = virtio.removed(NAME); // asked before the change: it cannot be missed
        change.apply();
        LabContext.await(removed, "virtio-balloon device " + NAME + " to be removed for its new configuration");
        if (runsAfter) {
            LabContext.await(virtio.probed(NAME), "virtio-balloon device " + NAME + " to be probed again");
        }
        lab.awaitConfigurationEvents(); // the probe returned halfway through SCR's activation of the device
    }

    private static Dictionary<String, Object> copy(Dictionary<String, Object> d) {
        Hashtable<String, Object> out = new Hashtable<>();
        for (Enumeration<String> k = d.keys(); k.hasMoreElements();) {
            String key = k.nextElement();
            out.put(key, d.get(key));
        }
        return out;
    }
}
