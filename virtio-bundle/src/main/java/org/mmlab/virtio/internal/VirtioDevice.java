package org.mmlab.virtio.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;
import org.mmlab.mm.lab.ModuleCaller;

/**
 * Models the virtio transport of one balloon device (struct virtio_device with drivers/virtio/virtio.c's
 * feature negotiation, config access, find_vqs/del_vqs, config-change interrupts, virtio_break_device
 * and virtio_reset_device). The host side is {@link BalloonHost}.
 */
public final class VirtioDevice {
    /** The device's name in the lab, e.g. "0". */
    final String name;
    /** Its name in dmesg: "virtio" + index, as dev_name() prints it. */
    final String devName;
    /** The host's offer (device features). */
    final long offered;
    private volatile long features;
    final ConfigSpace config = new ConfigSpace();
    /** The lock of every ring of this device (the device's "vring" state). */
    final Object ringLock = new Object();
    private final List<Virtqueue> vqs = new ArrayList<>();
    private volatile Runnable configChanged;
    /**
     * dev->config_lock (v6.18 drivers/virtio/virtio.c): a config change reaches the driver under it, so
     * virtio_dev_remove()'s virtio_config_core_disable() waits for one in flight before drv->remove.
     */
    private final Object configLock = new Object();
    /** dev->config_core_enabled, under configLock: false until the probe returned, and from remove on. */
    private boolean configCoreEnabled;
    /** dev->config_change_pending, under configLock: a change that came while disabled, told at enable. */
    private boolean configChangePending;
    private volatile boolean broken;
    private volatile BalloonHost host;
    /** The use-after-unload check of the transport's calls into the driver (its interrupts). */
    private final ModuleCaller calls;

    VirtioDevice(String name, int index, long offered, ModuleCaller calls) {
        this.calls = calls;
        this.name = name;
        this.devName = "virtio" + index;
        this.offered = offered;
    }

    /** dev_name(): "virtio0". */
    public String devName() {
        return devName;
    }

    void attachHost(BalloonHost h) {
        host = h;
    }

    BalloonHost host() {
        return host;
    }

    /** virtio_dev_probe(): driver features AND device features, then the driver's validate(). */
    long finalizeFeatures(MemoryManager mm) {
        features = Features.negotiate(offered, mm);
        return features;
    }

    long features() {
        return features;
    }

    /** virtio_has_feature(). */
    public boolean hasFeature(int bit) {
        return Features.has(features, bit);
    }

    /** virtio_find_vqs(): one queue per name, each with its callback (null for none) and ring size. */
    List<Virtqueue> findVqs(List<String> names, List<Consumer<Virtqueue>> callbacks, List<Integer> sizes) {
        synchronized (ringLock) {
            vqs.clear();
            for (int i = 0; i < names.size(); i++) {
                vqs.add(new Virtqueue(names.get(i), sizes.get(i), ringLock, callbacks.get(i), calls));
            }
            return List.copyOf(vqs);
        }
    }

    /** The queue of that name, or null. */
    Virtqueue vq(String vqName) {
        synchronized (ringLock) {
            for (Virtqueue vq : vqs) {
                if (vq.name.equals(vqName)) {
                    return vq;
                }
            }
            return null;
        }
    }

    List<Virtqueue> vqs() {
        synchronized (ringLock) {
            return List.copyOf(vqs);
        }
    }

    /** virtio_device_ready(): from now on config changes interrupt the driver. */
    void deviceReady(Runnable driverConfigChanged) {
        configChanged = driverConfigChanged;
    }

    /** The host changed the config space: virtio_config_changed(), under dev->config_lock. */
    void configChangedInterrupt() {
        synchronized (configLock) {
            virtioConfigChanged();
        }
    }

    /**
     * __virtio_config_changed() (v6.18): the driver's config_changed() if the core enabled config changes,
     * else the change is kept pending. Caller holds configLock.
     */
    private void virtioConfigChanged() {
        Runnable r = configChanged;
        if (!configCoreEnabled) {
            configChangePending = true;
        } else if (r != null) {
            try (ModuleCall c = calls.callIntoModule(r, InjectionPoints.CALL_CONFIG_CHANGED, -1)) {
                r.run();
            }
            configChangePending = false;
        }
    }

    /** virtio_config_core_enable(): the end of virtio_dev_probe(); a change that came meanwhile is told now. */
    void virtioConfigCoreEnable() {
        synchronized (configLock) {
            configCoreEnabled = true;
            if (configChangePending) {
                virtioConfigChanged();
            }
        }
    }

    /**
     * virtio_config_core_disable(): the start of virtio_dev_remove(), before drv->remove; returns once a
     * config_changed() in flight has, so none runs in the driver after its remove (or its module) went.
     */
    void virtioConfigCoreDisable() {
        synchronized (configLock) {
            configCoreEnabled = false;
        }
    }

    /** virtio_break_device(): every queue refuses buffers; only a reset repairs it. */
    void breakDevice() {
        broken = true;
        for (Virtqueue vq : vqs()) {
            vq.breakQueue();
        }
    }

    public boolean broken() {
        return broken;
    }

    /**
     * virtio_reset_device(): no more interrupts; the host drops every buffer and gives every frame it
     * holds back (after a reset QEMU faults any discarded page in on access). Caller holds ringLock.
     */
    void resetLocked() {
        configChanged = null;
        BalloonHost h = host;
        if (h != null) {
            h.resetLocked();
        }
        for (Virtqueue vq : vqs) {
            vq.resetLocked();
        }
    }

    /** del_vqs(). */
    void delVqs() {
        synchronized (ringLock) {
            for (Virtqueue vq : vqs) {
                vq.deleteLocked();
            }
            vqs.clear();
        }
    }
}
