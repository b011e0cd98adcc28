package org.mmlab.mm.internal;

import java.io.IOException;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
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
    private final RunningGuest guests;
    private volatile MmCore running;
    /** Why the configuration PID org.mmlab.mm holds was refused, or null when the guest got it. */
    private volatile String refused;
    /** The change of PID org.mmlab.mm admitted last (refused or passed on), or -1; guarded by this. */
    private long admitted = -1;
    /** The change refused last while {@link #refused} stands, or -1. */
    private volatile long refusedChange = -1;

    @Activate
    public ConfigGate(@Reference ConfigurationAdmin cm, @Reference RunningGuest guests) throws IOException {
        this.cm = cm;
        this.guests = guests;
        admit(true);
    }

    /** Configuration Admin delivered a change: what PID org.mmlab.mm holds now is admitted, once a change. */
    @Modified
    void modified() throws IOException {
        admit(false);
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
     * Passes what PID org.mmlab.mm holds on, if it is good, tagged with its change count so that the guest
     * booted from it is known (a change reboots the guest; at start, only a change does), or refuses it
     * when a guest runs, or ran, on an earlier one. It reads the configuration itself, the change count
     * first: what it passes on is at least as new as the count it tags it with.
     */
    private synchronized void admit(boolean atStart) throws IOException {
        Configuration[] held;
        try {
            held = cm.listConfigurations("(" + Constants.SERVICE_PID + "=" + MmCore.PID + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        long change = held == null ? 0 : held[0].getChangeCount();
        if (change == admitted) {
            return; // a second delivery of a change admitted already
        }
        admitted = change;
        Map<String, Object> props = withDefaults(held == null ? null : held[0].getProperties());
        Configuration boot = cm.getConfiguration(MmCore.BOOT_PID, "?");
        Dictionary<String, Object> booted = boot.getProperties();
        try {
            MmConfig.parse(props);
        } catch (IllegalArgumentException e) {
            if (booted != null) {
                refused = e.getMessage();
                refusedChange = change;
                MmCore core = running;
                if (core != null) {
                    core.printk(refusal(e.getMessage()));
                }
                guests.refused(change, e.getMessage());
                return;
            }
        }
        refused = null;
        refusedChange = -1;
        if (atStart && booted != null && withDefaults(booted).equals(props)) {
            return; // the guest runs on it already: no reboot for a restart of this gate
        }
        Dictionary<String, Object> d = new Hashtable<>(props);
        d.put(MmCore.CHANGE_COUNT, change);
        boot.update(d);
    }

    /** The eight properties of PID org.mmlab.mm: those stored, the others at their defaults. */
    private static Map<String, Object> withDefaults(Dictionary<String, Object> stored) {
        Map<String, Object> p = MmCore.properties(MmCore.defaults());
        for (String name : stored == null ? List.<String>of() : Collections.list(stored.keys())) {
            if (p.containsKey(name)) {
                p.put(name, stored.get(name));
            }
        }
        return p;
    }

    private static String refusal(String why) {
        return "mmlab: configuration " + MmCore.PID + " refused: " + why + "; the guest keeps running on the last good"
                + " one (mm:config shows it; mm:config NAME VALUE changes it)";
    }

    /** Why the configuration Configuration Admin holds was refused, or null when the guest runs on it. */
    public String refused() {
        return refused;
    }

    /** The change of PID org.mmlab.mm that was refused, while the refusal stands; -1 otherwise. */
    long refusedChange() {
        return refusedChange;
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
