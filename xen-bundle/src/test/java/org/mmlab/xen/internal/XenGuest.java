package org.mmlab.xen.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import org.mmlab.balloon.Balloons;
import org.mmlab.balloon.internal.BalloonFixture;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.internal.MmCheck;
import org.mmlab.mm.internal.MmCore;
import org.mmlab.mm.internal.MovablePagesImpl;
import org.mmlab.mm.lab.ModuleCaller;

/**
 * A booted 256 MiB mm-core with the real balloon infrastructure, and XEN balloons made as DS makes them,
 * checked as mm:check checks them.
 */
final class XenGuest implements AutoCloseable {
    final MmCore mm;
    final Balloons balloons;
    final MovablePages movablePages;
    final DeviceRegistry registry = new DeviceRegistry();
    private final List<XenDevice> made = new ArrayList<>();

    XenGuest() {
        MmCore.Config config = (MmCore.Config) Proxy.newProxyInstance(MmCore.Config.class.getClassLoader(),
                new Class<?>[] {MmCore.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "memorySize" -> "256M";
                    case "dma32Size" -> "128M";
                    case "migrationContract" -> MigrationContract.MOVABLE_OPS_2025.value();
                    default -> method.getDefaultValue();
                });
        mm = new MmCore(config);
        mm.guest().compaction().kcompactd().stop();
        balloons = BalloonFixture.driverBalloons(mm, "xen-bundle", 5);
        movablePages = (MovablePages) MovablePagesImpl.forBundle(mm.guest(), "xen-bundle", 5);
    }

    /**
     * A device as DS makes it, once the watch event of its registration has run: a later one would wake the
     * balloon thread at a moment no test chose.
     */
    XenDevice device(String name, String balloonTarget) throws InterruptedException {
        XenDevice d = new XenDevice(DeviceConfig.parse(name, null, balloonTarget), mm, balloons, movablePages, registry,
                ModuleCaller.BUILT_IN);
        made.add(d);
        d.driver().awaitWatches();
        return d;
    }

    /**
     * The toolstack asks for a balloon of size pages; returns the stats once the balloon is there or the
     * thread gave up (BP_ECANCELED).
     */
    XenBalloon.Stats balloonTo(XenDevice d, long size) throws InterruptedException {
        registry.setBalloonTarget(d.deviceName(), size);
        return awaitSettled(d, size);
    }

    /** Waits until the balloon is size pages, or the thread gave up after a pass and sleeps. */
    static XenBalloon.Stats awaitSettled(XenDevice d, long size) throws InterruptedException {
        XenBalloon.Stats s = d.driver().stats();
        long start = s.passes();
        while (!(s.size() == size && s.targetSize() == size)
                && !(s.state() == XenBalloon.BpState.BP_ECANCELED && s.passes() > start)) {
            XenBalloon.Stats next = d.driver().awaitPass(size, s.passes(), 60_000); // a hang guard: a loaded machine is slow
            assertThat(next.passes() != s.passes() || next.size() == size).as("a pass of the balloon thread within 60 s")
                    .isTrue();
            s = next;
        }
        if (s.state() == XenBalloon.BpState.BP_ECANCELED) {
            // balloon_thread() reads current_credit() after its pass and then sleeps an hour unless it changes:
            // a target written before that read wakes nothing ("we will recover from these in time",
            // drivers/xen/balloon.c v6.18), so the next target comes once the thread sleeps
            assertThat(d.driver().awaitSleeping(60_000)).as("the thread that gave up sleeps within 60 s").isTrue();
        }
        return s;
    }

    CheckResult check() {
        return MmCheck.run(mm.guest(), null);
    }

    /** The devices' own checks (mm:check runs them in the framework), then mm-core's. */
    void assertClean() {
        List<String> summary = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (XenDevice d : made) {
            if (d.live()) {
                d.check(summary::add, problems::add);
            }
        }
        assertThat(problems).isEmpty();
        assertThat(summary).as("the devices' check ran").hasSizeGreaterThanOrEqualTo(
                (int) made.stream().filter(XenDevice::live).count());
        CheckResult r = check();
        assertThat(r.ok()).as(r.text()).isTrue();
    }

    /** What one device's check says is wrong. */
    static List<String> problems(XenDevice d) {
        List<String> problems = new ArrayList<>();
        d.check(l -> { }, problems::add);
        return problems;
    }

    @Override
    public void close() throws InterruptedException {
        for (XenDevice d : made) {
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
