package org.mmlab.lab.internal;

import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.Map;
import java.util.function.Predicate;

import org.osgi.service.cm.Configuration;

/**
 * The virtio devices of races 4 and 5, through their factory configurations (PID
 * org.mmlab.virtio.balloon; the races do not import virtio's packages): device 0 given the properties
 * of a mapping lifecycle and given back what it had, a second device created and deleted, and waits
 * for what Configuration Admin's thread does with them, read from the shell.
 */
final class DeviceConfigs {
    private final LabContext lab;
    /** Device 0's configuration and its properties before the race (null: the race made it). */
    private Configuration device0;
    private Dictionary<String, Object> device0Was;
    private Configuration second;

    DeviceConfigs(LabContext lab) {
        this.lab = lab;
    }

    /** Device 0 with these properties added (made if the lab has none), probed again with them. */
    void device0(Map<String, Object> props) throws Exception {
        Configuration[] existing = lab.cm().listConfigurations("(service.pid="
                + Device0.FACTORY_PID + "~0)"); // the default device's (DefaultDevice)
        if (existing != null) {
            device0 = existing[0];
            device0Was = device0.getProperties();
        } else {
            device0 = lab.cm().getFactoryConfiguration(Device0.FACTORY_PID, "0", "?");
            device0Was = null;
        }
        Hashtable<String, Object> p = new Hashtable<>();
        if (device0Was != null) {
            for (Enumeration<String> keys = device0Was.keys(); keys.hasMoreElements();) {
                String k = keys.nextElement();
                p.put(k, device0Was.get(k));
            }
        }
        p.putAll(props);
        device0.update(p);
        awaitDevice0(props.containsKey("mappingInit") && "v7".equals(props.get("mappingInit")));
    }

    /** Waits until device 0 is probed, with the driver's own mapping (v7) or with the infrastructure's. */
    private void awaitDevice0(boolean v7) throws Exception {
        await("balloon:list", out -> out.lines().anyMatch(l -> l.contains(" virtio-balloon 0 ")
                && l.contains("the driver's own") == v7));
        lab.awaitOutput("virtio:host 0", "device 0 (");
    }

    /** Creates device name's configuration: Configuration Admin's thread has SCR probe it. */
    void create(String name, Map<String, Object> props) throws Exception {
        second = lab.cm().getFactoryConfiguration(Device0.FACTORY_PID, name, "?");
        second.update(new Hashtable<>(props));
    }

    /**
     * Puts the devices back: the second one deleted, device 0 given back its properties (or deleted if the
     * race made it); each one's remove drains its balloon. Configuration Admin does both on its thread,
     * in this order and before any later change (a reboot), so nothing here waits; see {@link #awaitBack}.
     */
    void restore() throws Exception {
        if (second != null) {
            second.delete();
            second = null;
        }
        if (device0 != null) {
            if (device0Was == null) {
                device0.delete();
            } else {
                device0.update(device0Was);
            }
        }
    }

    /** Waits until device 0 is back as it was (when the lab had one before the race). */
    void awaitBack() throws Exception {
        if (device0 != null && device0Was != null) {
            awaitDevice0(false);
        }
        device0 = null;
    }

    /** Runs the command until what it prints satisfies done (Configuration Admin works on its own thread). */
    private void await(String command, Predicate<String> done) throws Exception {
        long deadline = System.currentTimeMillis() + LabContext.WAIT_MS;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            try {
                last = lab.run(command);
                if (done.test(last)) {
                    return;
                }
            } catch (Exception e) {
                last = e.toString();
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("timed out waiting on " + command + "; last: " + last);
    }
}
