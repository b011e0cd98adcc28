package org.mmlab.lab.internal;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Map;

import org.mmlab.virtio.VirtioBalloons;
import org.osgi.service.cm.Configuration;

/**
 * The virtio devices of races 4 and 5, through their factory configurations (PID
 * org.mmlab.virtio.balloon): device 0 given the properties of a mapping lifecycle and given back what it
 * had, a second device created and deleted, and waits for what Configuration Admin's thread does with
 * them, through the VirtioBalloons service: device 0 removed, then probed with its new configuration.
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
    }

    /**
     * Creates device name's configuration: Configuration Admin's thread has SCR probe it. A plain configuration
     * that holds its PID (what a configuration listener that asks for the PID of every update makes of one
     * deleted meanwhile, as FileInstall's write-back did: see mmlab.bndrun) would be handed back in its place
     * and probe nothing: it fails the run at once, where the probe would have waited 15 s for nothing.
     */
    void create(String name, Map<String, Object> props) throws Exception {
        Configuration c = lab.cm().getFactoryConfiguration(VirtioBalloons.FACTORY_PID, name, "?");
        if (!VirtioBalloons.FACTORY_PID.equals(c.getFactoryPid())) {
            throw new IllegalStateException("configuration " + c.getPid() + " is not a factory configuration of "
                    + VirtioBalloons.FACTORY_PID + ", so it probes no device " + name + ": delete it");
        }
        second = c;
        second.update(new Hashtable<>(props));
    }

    /**
     * Puts the devices back: the second one deleted, device 0 given back its properties (or deleted if the
     * race made it); each one's remove drains its balloon. Configuration Admin does both on its thread, in
     * this order, and this waits for device 0.
     */
    void restore() throws Exception {
        deleteSecond();
        device0Back = device0.existedBefore();
        device0.restore(lab);
    }

    /** Deletes the second device's configuration, if there is one: Configuration Admin's thread removes it. */
    void deleteSecond() throws IOException {
        if (second != null) {
            second.delete();
            second = null;
        }
    }

    /** Waits until device 0 is back as it was (when the lab had one before the race), after the reboot that follows. */
    void awaitBack() throws Exception {
        if (device0Back) {
            LabContext.await(lab.virtio().probed(Device0.NAME), "virtio-balloon device 0 to be probed again");
        }
        device0Back = false;
    }
}
