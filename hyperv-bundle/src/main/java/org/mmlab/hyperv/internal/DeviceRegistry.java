package org.mmlab.hyperv.internal;

import java.util.List;
import java.util.Optional;

import org.mmlab.balloon.devices.DeviceNames;
import org.mmlab.hyperv.HvBalloonState;
import org.mmlab.hyperv.HvBalloons;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The devices of this bundle by name (not in the kernel, whose dm_device is one static struct). A device
 * claims its name once probed and gives it back when removed, so two configurations with the same name cannot
 * both run. Offers the exported {@link HvBalloons} view and the hosts' acts.
 * Immediate: its names live while the bundle is active, not while someone holds this service. It keeps no module data:
 * the lab models hv_balloon.c's static dm_device per device, made at probe and gone at remove (so with the guest,
 * whose reboot removes every device).
 */
@Component(service = {HvBalloons.class, DeviceRegistry.class}, immediate = true)
public class DeviceRegistry implements HvBalloons {
    private final DeviceNames<HvDevice> devices = new DeviceNames<>("Hyper-V balloon", HvDevice::deviceName,
            HvDevice::live);

    /** Claims the name; throws IllegalStateException, changing nothing, if another device has it. */
    void claim(String name, HvDevice d) {
        devices.claim(name, d);
    }

    void release(String name, HvDevice d) {
        devices.release(name, d);
    }

    /** This bundle stops: a device SCR activated while it stopped is removed too (see DeviceNames.close). */
    @Deactivate
    void deactivate() throws InterruptedException {
        devices.close(HvDevice::deactivate);
    }

    /** The device, or empty (also while it is being probed or removed). */
    public Optional<HvDevice> get(String name) {
        return devices.get(name);
    }

    /** Every running device, by name. */
    public List<HvDevice> all() {
        return devices.all();
    }

    @Override
    public List<HvBalloonState> devices() {
        return all().stream().map(HvDevice::state).toList();
    }

    @Override
    public Optional<HvBalloonState> device(String name) {
        return get(name).map(HvDevice::state);
    }

    @Override
    public void setHostTarget(String name, long pages) {
        if (pages < 0) {
            throw new IllegalArgumentException("a target of " + pages + " pages: a target is 0 or more pages");
        }
        require(name).host().setTarget(pages);
    }

    @Override
    public void hotAdd(String name, long pages) {
        require(name).host().hotAdd(pages);
    }

    /** The running device; a clear error naming the devices otherwise. */
    public HvDevice require(String name) {
        return devices.require(name);
    }
}
