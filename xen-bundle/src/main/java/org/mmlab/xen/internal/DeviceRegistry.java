package org.mmlab.xen.internal;

import java.util.List;
import java.util.Optional;

import org.mmlab.balloon.devices.DeviceNames;
import org.mmlab.xen.XenBalloonState;
import org.mmlab.xen.XenBalloons;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The devices of this bundle by name (not in the kernel, whose balloon is one static driver). A device
 * claims its name once initialised and gives it back when removed, so two configurations with the same name
 * cannot both run. Offers the exported {@link XenBalloons} view and what the toolstack and backends do.
 * Immediate: its names live while the bundle is active, not while someone holds this service. It keeps no module data:
 * the lab models balloon.c's statics (balloon_stats, the ballooned_pages list) per device, made at probe and gone at
 * remove (so with the guest, whose reboot removes every device).
 */
@Component(service = {XenBalloons.class, DeviceRegistry.class}, immediate = true)
public class DeviceRegistry implements XenBalloons {
    private final DeviceNames<XenDevice> devices = new DeviceNames<>("XEN balloon", XenDevice::deviceName,
            XenDevice::live);

    /** Claims the name; throws IllegalStateException, changing nothing, if another device has it. */
    void claim(String name, XenDevice d) {
        devices.claim(name, d);
    }

    void release(String name, XenDevice d) {
        devices.release(name, d);
    }

    /** This bundle stops: a device SCR activated while it stopped is removed too (see DeviceNames.close). */
    @Deactivate
    void deactivate() throws InterruptedException {
        devices.close(XenDevice::deactivate);
    }

    /** The device, or empty (also while it is being initialised or removed). */
    public Optional<XenDevice> get(String name) {
        return devices.get(name);
    }

    /** Every running device, by name. */
    public List<XenDevice> all() {
        return devices.all();
    }

    @Override
    public List<XenBalloonState> devices() {
        return all().stream().map(XenDevice::state).toList();
    }

    @Override
    public Optional<XenBalloonState> device(String name) {
        return get(name).map(XenDevice::state);
    }

    @Override
    public void setBalloonTarget(String name, long pages) {
        XenDevice d = require(name);
        long total = d.driver().stats().totalPages();
        if (pages < 0 || pages > total) {
            throw new IllegalArgumentException(String.format("a balloon of %d pages: a balloon is 0 to the guest's %d"
                    + " pages", pages, total));
        }
        d.driver().writeTarget(pages);
    }

    @Override
    public int[] allocBallooned(String name, int n) {
        XenDevice d = require(name);
        if (n <= 0 || n > d.driver().stats().totalPages()) {
            throw new IllegalArgumentException(String.format("%d pages: a backend takes 1 to the guest's %d pages", n,
                    d.driver().stats().totalPages()));
        }
        return d.driver().allocBallooned(n);
    }

    @Override
    public void freeBallooned(String name, int n) {
        require(name).driver().freeLent(n);
    }

    /** The running device; a clear error naming the devices otherwise. */
    public XenDevice require(String name) {
        return devices.require(name);
    }
}
