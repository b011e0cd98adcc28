package org.mmlab.hyperv.internal;

import java.util.List;
import java.util.OptionalLong;

import org.mmlab.hyperv.HvBalloons;
import org.mmlab.hyperv.HvBalloonState;
import org.mmlab.mm.lab.StormTarget;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * hyperv-bundle in the lab's hot-plug storms (lab:storm): its devices, and the host's balloon request moved
 * (DM_BALLOON_REQUEST or DM_UNBALLOON_REQUEST).
 */
@Component
public class HvStormTarget implements StormTarget {
    private final HvBalloons balloons;

    @Activate
    public HvStormTarget(@Reference HvBalloons balloons) {
        this.balloons = balloons;
    }

    @Override
    public String family() {
        return "hyperv";
    }

    @Override
    public String bundle() {
        return "hyperv-bundle";
    }

    @Override
    public String factoryPid() {
        return HvBalloons.FACTORY_PID;
    }

    @Override
    public List<String> devices() {
        return balloons.devices().stream().map(HvBalloonState::name).toList();
    }

    /** The host asks and does not wait for the guest: the storm wants inflations in flight. */
    @Override
    public void moveTarget(String device, long pages) {
        balloons.setHostTarget(device, pages);
    }

    @Override
    public OptionalLong target(String device) {
        return balloons.device(device).map(s -> OptionalLong.of(s.hostTarget())).orElse(OptionalLong.empty());
    }

    @Override
    public String unloadLosesPages() {
        return "hv_balloon's balloon_remove() gives the ballooned pages back to nobody (v6.18.2: pr_warn \"Ballooned pages: %d\")";
    }
}
