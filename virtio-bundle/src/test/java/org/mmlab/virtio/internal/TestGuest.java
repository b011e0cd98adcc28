package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.mmlab.mm.internal.MmCore;

/**
 * A booted 64 MiB mm-core (the real memory manager, as DS activates it) with the fake balloon
 * infrastructure and a device registry, and helpers to make devices and wait for them.
 */
final class TestGuest implements AutoCloseable {
    final MmCore mm;
    final FakeBalloons balloons;
    final DeviceRegistry registry;
    /** False: the registry outlives this guest (the bundle stays active across a reboot). */
    private final boolean ownRegistry;

    TestGuest() {
        this(false);
    }

    TestGuest(boolean pagePoisoning) {
        this(pagePoisoning, new DeviceRegistry(), true);
    }

    /** A guest booted under a module that was loaded before it and stays after it: close() is its reboot. */
    TestGuest(DeviceRegistry registry) {
        this(false, registry, false);
    }

    private TestGuest(boolean pagePoisoning, DeviceRegistry registry, boolean ownRegistry) {
        this.registry = registry;
        this.ownRegistry = ownRegistry;
        MmCore.Config config = (MmCore.Config) Proxy.newProxyInstance(MmCore.Config.class.getClassLoader(),
                new Class<?>[] {MmCore.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "memorySize" -> "64M";
                    case "dma32Size" -> "32M";
                    case "pagePoisoning" -> pagePoisoning;
                    default -> method.getDefaultValue();
                });
        mm = new MmCore(config);
        balloons = new FakeBalloons(mm);
    }

    /** A device as DS would make it from a configuration. */
    VirtioBalloonDevice device(String name, String features, String target, long ackDelayMs, String misbehaviour,
            long ackTimeoutMs) {
        DeviceConfig c = DeviceConfig.parse(name, null, -1, features, target, ackDelayMs, misbehaviour, ackTimeoutMs);
        return new VirtioBalloonDevice(c, "test~" + name, mm, mm, balloons, mm.guest().hinting(), registry);
    }

    /** A device whose driver makes and frees its balloon mapping as lifecycle says. */
    VirtioBalloonDevice device(String name, MappingLifecycle lifecycle) {
        DeviceConfig c = DeviceConfig.parse(name, null, -1, Features.DEFAULT_OFFER, "0", 0, "normal", 5_000);
        return new VirtioBalloonDevice(c, lifecycle, "test~" + name, mm, mm, balloons, mm.guest().hinting(), registry);
    }

    VirtioBalloonDevice device(String name) {
        return device(name, Features.DEFAULT_OFFER, "0", 0, "normal", 5_000);
    }

    /** dmesg without the timestamps. */
    List<String> dmesg() {
        return mm.guest().dmesg().lines().stream().map(l -> l.replaceFirst("^\\[[ 0-9.]+\\] ", "")).toList();
    }

    static void await(String what, BooleanSupplier cond) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!cond.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("waiting for %s", what).isLessThan(deadline);
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Sets the host's target and waits until the driver reached it and wrote actual (VirtioBalloons.setTarget). */
    void inflateTo(VirtioBalloonDevice d, long pages) {
        try {
            registry.setTarget(d.deviceName(), pages).getValue();
        } catch (InvocationTargetException e) {
            throw new AssertionError("device " + d.deviceName() + " did not reach " + pages + " pages", e.getCause());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        for (VirtioBalloonDevice d : registry.all()) {
            d.deactivate();
        }
        if (!ownRegistry) {
            registry.guestGone(mm); // what SCR's unbind of the MemoryManager does
            mm.guest().compaction().kcompactd().stop();
            mm.workload().stop();
            return;
        }
        try {
            registry.deactivate();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while the registry removed what was left", e);
        }
        mm.guest().compaction().kcompactd().stop();
        mm.workload().stop();
    }

    /** MemFree once drain_all_pages() gave back the pages on the per-cpu lists: every free page, each once. */
    long freePagesDrained() {
        mm.guest().drainAllPages();
        return mm.freePages();
    }
}
