package org.mmlab.xen.internal;

import java.util.List;
import java.util.OptionalLong;

import org.mmlab.mm.Mm;
import org.mmlab.xen.XenBalloons;
import org.mmlab.xen.XenBalloonState;
import org.mmlab.mm.lab.StormTarget;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** xen-bundle in the lab's hot-plug storms (lab:storm): its devices, and the toolstack's memory/target moved. */
@Component
public class XenStormTarget implements StormTarget {
    private final XenBalloons balloons;

    @Activate
    public XenStormTarget(@Reference XenBalloons balloons) {
        this.balloons = balloons;
    }

    @Override
    public String family() {
        return "xen";
    }

    @Override
    public String bundle() {
        return "xen-bundle";
    }

    @Override
    public String factoryPid() {
        return XenBalloons.FACTORY_PID;
    }

    @Override
    public List<String> devices() {
        return balloons.devices().stream().map(XenBalloonState::name).toList();
    }

    /** The toolstack writes the target and does not wait for the balloon thread: the storm wants inflations in flight. */
    @Override
    public void moveTarget(String device, long pages) {
        balloons.setBalloonTarget(device, pages);
    }

    /** The balloon memory/target asks for: what {@link #moveTarget} wrote, the guest's pages less the target. */
    @Override
    public OptionalLong target(String device) {
        return balloons.device(device).map(s -> OptionalLong.of(s.totalPages() - (s.xenstoreTargetKiB() >> (Mm.PAGE_SHIFT - 10))))
                .orElse(OptionalLong.empty());
    }

    @Override
    public String unloadLosesPages() {
        return "the XEN balloon is built in (CONFIG_XEN_BALLOON is bool, v6.18.2): it has no remove path, and an unload"
                + " leaves its ballooned pages with the hypervisor";
    }
}
