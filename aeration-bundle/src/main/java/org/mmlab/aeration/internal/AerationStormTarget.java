package org.mmlab.aeration.internal;

import java.util.List;

import org.mmlab.aeration.Aeration;
import org.mmlab.mm.lab.StormTarget;
import org.osgi.service.component.annotations.Component;

/**
 * aeration-bundle in the lab's hot-plug storms (lab:storm): free page hinting unloaded and loaded while
 * pages are off the free lists in its batches and reports, and its configuration (the design in force)
 * deleted and recreated. It has no devices of its own (the virtio device reports through it), so no
 * target to move.
 */
@Component
public class AerationStormTarget implements StormTarget {
    @Override
    public String family() {
        return "aeration";
    }

    @Override
    public String bundle() {
        return "aeration-bundle";
    }

    /** Not a factory: the one configuration of the design in force. */
    @Override
    public String factoryPid() {
        return Aeration.PID;
    }

    @Override
    public List<String> devices() {
        return List.of();
    }

    @Override
    public void moveTarget(String device, long pages) {
        throw new IllegalArgumentException("free page hinting has no device '" + device + "': no target to move");
    }
}
