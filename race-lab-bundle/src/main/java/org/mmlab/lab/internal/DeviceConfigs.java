package org.mmlab.lab.internal;

import java.util.Hashtable;
import java.util.Map;

import org.osgi.service.cm.Configuration;

/**
 * The virtio devices of races 4 and 5, through their factory configurations (PID
 * org.mmlab.virtio.balloon; the races do not import virtio's packages): device 0 given the properties
 * of a mapping lifecycle and given back what it had, a second device created and deleted, and waits
 * for what Configuration Admin's thread does with them, read from the shell.
 */
final class DeviceConfigs {
    private final LabContext lab;
    private final Device0 device0 = new Device0();
    /** Whether device 0 must come back after the race (the lab had it before). */
    private boolean device0Back;
    private Configuration second;

    DeviceConfigs(LabContext lab) {
        this.lab = lab;
    }

    /** Device 0 with these properties added (made if the lab has none), probed again with them. */
    void device0(Map<String, Object> props) throws Exception {
        device0.set(lab, props);
        awaitDevice0(props.containsKey("mappingInit") && "v7".equals(props.get("mappingInit")));
    }

    /** Waits until device 0 is probed, with the driver's own mapping (v7) or with the infrastructure's. */
    private void awaitDevice0(boolean v7) throws Exception {
        String what = "virtio-balloon 0 " + (v7 ? "with" : "without") + " the driver's own mapping";
        lab.awaitOutput("balloon:list", what, out -> out.lines()
                .anyMatch(l -> l.contains(" virtio-balloon 0 ") && l.contains("the driver's own") == v7));
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
        device0Back = device0.existedBefore();
        device0.restore();
    }

    /** Waits until device 0 is back as it was (when the lab had one before the race). */
    void awaitBack() throws Exception {
        if (device0Back) {
            awaitDevice0(false);
        }
        device0Back = false;
    }
}
