package org.mmlab.itest;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.mmlab.vmware.VmwBalloonState;
import org.mmlab.vmware.VmwBalloons;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * VMware balloons for a test: factory configurations of org.mmlab.vmware.balloon made and deleted, and
 * waits on the VmwBalloons service (the in-framework run turns the lab's default device off).
 */
final class VmwLab {
    private final ConfigurationAdmin cm;
    private final VmwBalloons vmw;
    private final List<Configuration> made = new ArrayList<>();

    VmwLab(ConfigurationAdmin cm, VmwBalloons vmw) {
        this.cm = cm;
        this.vmw = vmw;
    }

    /** Device NAME with these properties (the rest at their defaults); waits until its driver has started. */
    void create(String name, Map<String, Object> props) throws Exception {
        Configuration c = cm.getFactoryConfiguration(VmwBalloons.FACTORY_PID, name, "?");
        c.update(new Hashtable<>(props));
        made.add(c);
        Await.until("VMware balloon " + name + " started", () -> vmw.device(name).filter(s -> !s.resetting()
                && !s.capabilities().isEmpty()).isPresent());
    }

    /** The hypervisor asks for frames; waits until the balloon holds them and the hypervisor agrees. */
    VmwBalloonState inflateTo(String name, long frames) throws Exception {
        vmw.setHostTarget(name, frames);
        Await.until("VMware balloon " + name + " at " + frames + " frames", () -> vmw.device(name)
                .filter(s -> s.size() == frames && s.target() == frames && s.hostHeld() == frames).isPresent());
        return vmw.device(name).orElseThrow();
    }

    /** Takes over configuration NAME (made by an earlier lab of this test) to delete it later. */
    void adopt(String name) throws Exception {
        made.add(cm.getFactoryConfiguration(VmwBalloons.FACTORY_PID, name, "?"));
    }

    /** Deletes what this lab made, and waits until those devices are removed. */
    void deleteAll() throws Exception {
        for (Configuration c : made) {
            String name = c.getPid().substring(c.getPid().lastIndexOf('~') + 1);
            c.delete();
            Await.until("VMware balloon " + name + " removed", () -> vmw.device(name).isEmpty());
        }
        made.clear();
    }
}
