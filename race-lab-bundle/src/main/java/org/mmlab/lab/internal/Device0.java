package org.mmlab.lab.internal;

import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.service.cm.Configuration;

/**
 * virtio device 0 for a batch of runs: its configuration (factory PID org.mmlab.virtio.balloon) asks
 * the host for a number of pages at every probe (hostTarget), so each start of virtio-bundle inflates
 * the balloon without a shell command; at the end of the batch the configuration is put back as it
 * was (or deleted, if the batch made it: a lab started without the default device). Another driver's
 * device 0 likewise, by its factory PID (race 9's VMware balloon).
 */
final class Device0 {
    /** VirtioBalloons.FACTORY_PID, not imported: races stop and uninstall virtio-bundle, whose package it is. */
    static final String FACTORY_PID = "org.mmlab.virtio.balloon";
    static final String NAME = "0";

    private final String factoryPid;
    private Configuration config;
    /** Its properties before the batch, or null if the batch made it. */
    private Dictionary<String, Object> before;

    /** virtio's device 0. */
    Device0() {
        this(FACTORY_PID);
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
     * with them. What it had before the first change is what {@link #restore} gives back.
     */
    void set(LabContext lab, Map<String, Object> props) throws Exception {
        if (config == null) {
            Configuration[] existing = lab.cm().listConfigurations("(&(service.factoryPid=" + factoryPid
                    + ")(|(name=" + NAME + ")(service.pid=*~" + NAME + ")))");
            config = existing != null ? existing[0] : lab.cm().getFactoryConfiguration(factoryPid, NAME, "?");
            before = existing != null ? existing[0].getProperties() : null;
        }
        Dictionary<String, Object> now = config.getProperties();
        Dictionary<String, Object> p = now == null ? new Hashtable<>() : copy(now);
        props.forEach(p::put);
        config.update(p);
    }

    /** True if the lab had device 0's configuration before the batch changed it. */
    boolean existedBefore() {
        return before != null;
    }

    /** Waits until device 0 runs with this many pages, read from the VirtioBalloons service. */
    static void awaitPages(LabContext lab, int pages) throws Exception {
        try (VirtioView view = new VirtioView(lab.context)) {
            view.awaitPages(NAME, pages, LabContext.WAIT_MS);
        }
    }

    /** The configuration as it was before the batch. */
    void restore() throws Exception {
        if (config == null) {
            return;
        }
        if (before == null) {
            config.delete();
        } else {
            config.update(before);
        }
        config = null;
        before = null;
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
