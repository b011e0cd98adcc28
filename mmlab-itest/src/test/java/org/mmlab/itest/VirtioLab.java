package org.mmlab.itest;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.mmlab.virtio.VirtioBalloons;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.promise.Promise;

/**
 * Makes and deletes factory configurations of org.mmlab.virtio.balloon, and waits for their devices
 * through the VirtioBalloons service's promises (probed, removed).
 */
final class VirtioLab {
    private final ConfigurationAdmin cm;
    private final VirtioBalloons virtio;
    private final List<Configuration> made = new ArrayList<>();

    VirtioLab(ConfigurationAdmin cm, VirtioBalloons virtio) {
        this.cm = cm;
        this.virtio = virtio;
    }

    /**
     * Factory configuration NAME with every property at its default; waits until the device runs. A
     * device of that name whose configuration was deleted (by an earlier test) goes first.
     */
    void create(String name) throws Exception {
        create(name, Map.of());
    }

    /** {@link #create(String)} with these properties. */
    void create(String name, Map<String, Object> properties) throws Exception {
        if (cm.listConfigurations("(service.pid=" + VirtioBalloons.FACTORY_PID + "~" + name + ")") == null) {
            Await.value(virtio.removed(name), "the device " + name + " of a deleted configuration removed");
        }
        Configuration c = cm.getFactoryConfiguration(VirtioBalloons.FACTORY_PID, name, "?");
        c.update(new Hashtable<>(properties));
        made.add(c);
        Await.value(virtio.probed(name), "device " + name + " probed");
    }

    /** Takes over configuration NAME (made by an earlier lab of this test) to delete it later. */
    void adopt(String name) throws Exception {
        made.add(cm.getFactoryConfiguration(VirtioBalloons.FACTORY_PID, name, "?"));
    }

    /** Whether this lab made (or adopted) a configuration it has not deleted yet. */
    boolean made() {
        return !made.isEmpty();
    }

    /** Deletes what this lab made, the last made first, and waits until those devices are removed. */
    void deleteAll() throws Exception {
        for (int i = made.size() - 1; i >= 0; i--) {
            Configuration c = made.get(i);
            String name = c.getPid().substring(c.getPid().lastIndexOf('~') + 1);
            Promise<String> removed = virtio.removed(name); // asked first: the removal cannot be missed
            c.delete();
            Await.value(removed, "device " + name + " removed");
        }
        made.clear();
    }
}
