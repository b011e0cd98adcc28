package org.mmlab.virtio.internal;

import java.util.List;
import java.util.OptionalLong;

import org.mmlab.mm.lab.StormTarget;
import org.mmlab.virtio.VirtioBalloonState;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** virtio-bundle in the lab's hot-plug storms (lab:storm): its devices, and QEMU's num_pages moved. */
@Component
public class VirtioStormTarget implements StormTarget {
    private final VirtioBalloons balloons;

    @Activate
    public VirtioStormTarget(@Reference VirtioBalloons balloons) {
        this.balloons = balloons;
    }

    @Override
    public String family() {
        return "virtio";
    }

    @Override
    public String bundle() {
        return "virtio-bundle";
    }

    @Override
    public String factoryPid() {
        return VirtioBalloons.FACTORY_PID;
    }

    @Override
    public List<String> devices() {
        return balloons.devices().stream().map(VirtioBalloonState::name).toList();
    }

    /** The promise of the target reached is not awaited: the storm wants inflations in flight. */
    @Override
    public void moveTarget(String device, long pages) {
        balloons.setTarget(device, pages);
    }

    @Override
    public OptionalLong target(String device) {
        return balloons.device(device).map(s -> OptionalLong.of(s.hostTarget())).orElse(OptionalLong.empty());
    }
}
