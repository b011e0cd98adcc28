package org.mmlab.vmware.internal;

import java.util.List;
import java.util.Optional;

import org.mmlab.balloon.devices.DeviceNames;
import org.mmlab.vmware.VmwBalloonState;
import org.mmlab.vmware.VmwBalloons;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The devices of this bundle by name (not in the kernel, whose balloon is one static struct). A device
 * claims its name when it is initialised and gives it back when it is removed, so two configurations with
 * the same name cannot both run. Offers the exported {@link VmwBalloons} view and the hypervisors' acts.
 * Immediate: its names live while the bundle is active, not while someone holds this service. It keeps no module data:
 * the lab models vmw_balloon.c's static struct vmballoon per device, made at probe and gone at remove (so with the
 * guest, whose reboot removes every device).
 */
@Component(service = {VmwBalloons.class, DeviceRegistry.class}, immediate = true)
public class DeviceRegistry implements VmwBalloons {
    private final DeviceNames<VmwDevice> devices = new DeviceNames<>("VMware balloon", VmwDevice::deviceName,
            VmwDevice::live);

    /** Claims the name; throws IllegalStateException, changing nothing, if another device has it. */
    void claim(String name, VmwDevice d) {
        devices.claim(name, d);
    }

    void release(String name, VmwDevice d) {
        devices.release(name, d);
    }

    /** This bundle stops: a device SCR activated while it stopped is removed too (see DeviceNames.close). */
    @Deactivate
    void deactivate() throws InterruptedException {
        devices.close(VmwDevice::deactivate);
    }

    /** The device, or empty (also while it is being initialised or removed). */
    public Optional<VmwDevice> get(String name) {
        return devices.get(name);
    }

    /** Every device that is initialised and not being removed, by name. */
    public List<VmwDevice> all() {
        return devices.all();
    }

    /** Every initialised device, also those being removed (until vmballoon_exit() returned). */
    @Override
    public List<VmwBalloonState> devices() {
        return devices.all(VmwDevice::initialised).stream().map(VmwDevice::state).toList();
    }

    @Override
    public Optional<VmwBalloonState> device(String name) {
        return devices.any(name).filter(VmwDevice::initialised).map(VmwDevice::state);
    }

    @Override
    public void setHostTarget(String name, long frames) {
        if (frames < 0) {
            throw new IllegalArgumentException("a target of " + frames + " frames: a target is 0 or more frames");
        }
        require(name).hypervisor().setTarget(frames);
    }

    @Override
    public void setHostBehaviour(String name, String behaviour) {
        VmwDevice d = require(name);
        if ("reset".equals(behaviour == null ? "" : behaviour.trim())) {
            d.hypervisor().demandReset();
            return;
        }
        try {
            d.hypervisor().setBehaviour(HostBehaviour.parse(behaviour));
        } catch (IllegalArgumentException e) { // the message alone: what is allowed here includes reset
            throw new IllegalArgumentException(e.getMessage().replace(HostBehaviour.allowed(),
                    HostBehaviour.allowed("reset")));
        }
    }

    @Override
    public String vmmemctl(String name) {
        return require(name).driver().vmmemctl();
    }

    /** The running device; a clear error naming the devices otherwise. */
    VmwDevice require(String name) {
        return devices.require(name);
    }
}
