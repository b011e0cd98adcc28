package org.mmlab.vmware.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.mmlab.balloon.Balloons;
import org.mmlab.balloon.internal.BalloonFixture;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.internal.MmCheck;
import org.mmlab.mm.internal.MmCore;
import org.mmlab.mm.internal.MovablePagesImpl;

/**
 * A booted 256 MiB mm-core (the real memory manager) with the real balloon infrastructure
 * (balloon-api's BalloonFixture), and VMware balloons made as DS makes them, checked as mm:check checks them.
 */
final class TestGuest implements AutoCloseable {
    final MmCore mm;
    final Balloons balloons;
    final MovablePages movablePages;
    final DeviceRegistry registry = new DeviceRegistry();
    private final List<VmwDevice> made = new ArrayList<>();

    TestGuest(MigrationContract contract) {
        MmCore.Config config = (MmCore.Config) Proxy.newProxyInstance(MmCore.Config.class.getClassLoader(),
                new Class<?>[] {MmCore.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "memorySize" -> "256M";
                    case "dma32Size" -> "128M";
                    case "migrationContract" -> contract.value();
                    default -> method.getDefaultValue();
                });
        mm = new MmCore(config);
        mm.guest().compaction().kcompactd().stop();
        balloons = BalloonFixture.driverBalloons(mm, "vmware-bundle", 3);
        movablePages = (MovablePages) MovablePagesImpl.forBundle(mm.guest(), "vmware-bundle", 3);
    }

    TestGuest() {
        this(MigrationContract.MOVABLE_OPS_2025);
    }

    /** A device as DS makes it from a configuration, initialised: its first work resets the protocol. */
    VmwDevice device(String name, String capabilities, String behaviour, boolean shrinker, String migratepage) {
        VmwDevice d = new VmwDevice(DeviceConfig.parse(name, null, "0", capabilities, behaviour, shrinker, migratepage),
                mm, mm, balloons, movablePages, registry);
        made.add(d);
        await("device " + name + " started", () -> !d.driver().resetRequired && d.driver().idle());
        return d;
    }

    VmwDevice device(String name) {
        return device(name, DeviceConfig.ALL_CAPABILITIES, "normal", false, "enoent");
    }

    /** The hypervisor asks for frames; waits until the driver reached them. */
    static void inflateTo(VmwDevice d, long frames) {
        d.hypervisor().setTarget(frames);
        await("the balloon at " + frames + " frames", () -> d.driver().reached(frames));
    }

    /** dmesg without the timestamps. */
    List<String> dmesg() {
        return mm.guest().dmesg().lines().stream().map(l -> l.replaceFirst("^\\[[ 0-9.]+\\] ", "")).toList();
    }

    /** mm:check with the devices' and the balloon infrastructure's contributors, as the lab runs it. */
    CheckResult check() {
        return MmCheck.run(mm.guest(), null);
    }

    void assertClean() {
        List<String> problems = new ArrayList<>();
        for (VmwDevice d : made) {
            if (d.live()) {
                d.check(l -> { }, problems::add);
            }
        }
        assertThat(problems).isEmpty();
        CheckResult r = check();
        assertThat(r.ok()).as(r.text()).isTrue();
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

    @Override
    public void close() {
        for (VmwDevice d : made) {
            if (d.live()) {
                d.deactivate();
            }
        }
        mm.workload().stop();
    }

    /** MemFree once drain_all_pages() gave back the pages on the per-cpu lists: every free page, each once. */
    long freePagesDrained() {
        mm.guest().drainAllPages();
        return mm.freePages();
    }
}
