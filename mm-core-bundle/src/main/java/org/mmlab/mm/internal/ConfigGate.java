package org.mmlab.mm.internal;

import java.io.IOException;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Stands between PID org.mmlab.mm, whoever writes it (mm:config, cm:, the race lab, a file), and the
 * guest, as a boot loader checks a kernel command line before it boots anything: MmCore boots from
 * PID org.mmlab.mm.boot, which only this gate writes, with a configuration MmConfig accepted. A bad
 * one never replaces the running guest: it is refused in the guest's dmesg, and the guest keeps
 * running on the last good one (every guest booted while the refusal stands says so too). With
 * nothing to keep (the first boot), a bad one is passed on, so that the boot fails with its message.
 */
@Component(service = ConfigGate.class, immediate = true, configurationPid = MmCore.PID)
@Designate(ocd = MmCore.Config.class)
public class ConfigGate {
    private final ConfigurationAdmin cm;
    private volatile MmCore running;
    /** Why the configuration PID org.mmlab.mm holds was refused, or null when the guest got it. */
    private volatile String refused;
    private final AtomicLong refusals = new AtomicLong();

    @Activate
    public ConfigGate(@Reference ConfigurationAdmin cm, MmCore.Config config) throws IOException {
        this.cm = cm;
        admit(config, true);
    }

    @Modified
    void modified(MmCore.Config config) throws IOException {
        admit(config, false);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRunning(MmCore core) {
        running = core;
        String why = refused;
        if (why != null) {
            core.printk(refusal(why));
        }
    }

    void unbindRunning(MmCore core) {
        if (running == core) {
            running = null;
        }
    }

    /**
     * Passes a good configuration on (a change reboots the guest; at start, only a change does), or
     * refuses a bad one when a guest runs, or ran, on an earlier one.
     */
    private synchronized void admit(MmCore.Config config, boolean atStart) throws IOException {
        Map<String, Object> props = MmCore.properties(config);
        Configuration boot = cm.getConfiguration(MmCore.BOOT_PID, "?");
        try {
            MmConfig.parse(props);
        } catch (IllegalArgumentException e) {
            if (boot.getProperties() != null) {
                refused = e.getMessage();
                refusals.incrementAndGet();
                MmCore core = running;
                if (core != null) {
                    core.printk(refusal(e.getMessage()));
                }
                return;
            }
        }
        refused = null;
        Dictionary<String, Object> d = new Hashtable<>(props);
        if (atStart) {
            boot.updateIfDifferent(d);
        } else {
            boot.update(d);
        }
    }

    private static String refusal(String why) {
        return "mmlab: configuration " + MmCore.PID + " refused: " + why + "; the guest keeps running on the last good"
                + " one (mm:config shows it; mm:config NAME VALUE changes it)";
    }

    /** Why the configuration Configuration Admin holds was refused, or null when the guest runs on it. */
    public String refused() {
        return refused;
    }

    /** How many configurations were refused since start: mm:config waits for a reboot or for one more. */
    public long refusals() {
        return refusals.get();
    }

    /**
     * What mm:config starts from when no guest runs: the configuration last passed on (the one whose
     * boot failed), each property that is bad on its own replaced by its default and named in
     * {@code reset}, so that one mm:config can always bring a guest up.
     */
    public Map<String, Object> lastPassedOn(List<String> reset) throws IOException {
        Map<String, Object> p = MmCore.properties(MmCore.defaults());
        Dictionary<String, Object> boot = cm.getConfiguration(MmCore.BOOT_PID, "?").getProperties();
        for (String name : boot == null ? List.<String>of() : Collections.list(boot.keys())) {
            if (p.containsKey(name)) {
                try {
                    MmConfig.checkProperty(name, boot.get(name));
                    p.put(name, boot.get(name));
                } catch (IllegalArgumentException e) {
                    reset.add(name + "=" + boot.get(name));
                }
            }
        }
        return p;
    }
}
