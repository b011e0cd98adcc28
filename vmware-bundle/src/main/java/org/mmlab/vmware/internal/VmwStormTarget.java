package org.mmlab.vmware.internal;

import java.util.List;
import java.util.OptionalLong;

import org.mmlab.mm.lab.StormTarget;
import org.mmlab.vmware.VmwBalloonState;
import org.mmlab.vmware.VmwBalloons;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** vmware-bundle in the lab's hot-plug storms (lab:storm): its devices, and the hypervisor's target moved. */
@Component
public class VmwStormTarget implements StormTarget {
    private final VmwBalloons balloons;

    @Activate
    public VmwStormTarget(@Reference VmwBalloons balloons) {
        this.balloons = balloons;
    }

    @Override
    public String family() {
        return "vmware";
    }

    @Override
    public String bundle() {
        return "vmware-bundle";
    }

    @Override
    public String factoryPid() {
        return VmwBalloons.FACTORY_PID;
    }

    @Override
    public List<String> devices() {
        return balloons.devices().stream().map(VmwBalloonState::name).toList();
    }

    @Override
    public void moveTarget(String device, long pages) {
        balloons.setHostTarget(device, pages);
    }

    @Override
    public OptionalLong target(String device) {
        return balloons.device(device).map(s -> OptionalLong.of(s.hostTarget())).orElse(OptionalLong.empty());
    }
}
