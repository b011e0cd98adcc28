package org.mmlab.hyperv.internal;

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
 * A booted 256 MiB mm-core with the real balloon infrastructure, and Hyper-V balloons made as DS makes them,
 * checked as mm:check checks them.
 */
final class HvGuest implements AutoCloseable {
    final MmCore mm;
    final Balloons balloons;
    final MovablePages movablePages;
    final DeviceRegistry registry = new DeviceRegistry();
    private final List<HvDevice> made = new ArrayList<>();

    HvGuest(MigrationContract contract) {
        MmCore.Config config = (MmCore.Config) Proxy.newProxyInstance(MmCore.Config.class.getClassLoader(),
                new Class<?>[] {MmCore.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "memorySize" -> "256M";
                    case "dma32Size" -> "128M";
                    case "migrationContract" -> contract.value();
                    default -> method.getDefaultValue();
                });
        mm = new MmCore(config);
        mm.guest().compaction().kcompactd().stop();
        balloons = BalloonFixture.driverBalloons(mm, "hyperv-bundle", 4);
        movablePages = (MovablePages) MovablePagesImpl.forBundle(mm.guest(), "hyperv-bundle", 4);
    }

    HvGuest() {
        this(MigrationContract.MOVABLE_OPS_2025);
    }

    HvDevice device(String name, String hotAddSpace) throws InterruptedException {
        HvDevice d = new HvDevice(DeviceConfig.parse(name, null, "0", hotAddSpace), mm, balloons, movablePages,
                registry, ModuleCaller.BUILT_IN);
        made.add(d);
        return d;
    }

    /** The host asks for pages; returns what the host holds once it reached them or said why not. */
    static long balloonTo(HvDevice d, long pages) throws InterruptedException {
        d.host().setTarget(pages);
        long now = d.host().view().ballooned();
        while (now != pages && d.host().view().why().isEmpty()) {
            long next = d.host().awaitBallooned(now, 10_000);
            assertThat(next != now || !d.host().view().why().isEmpty()).as("the balloon changed within 10 s").isTrue();
            now = next;
        }
        return now;
    }

    void assertClean() {
        List<String> problems = new ArrayList<>();
        for (HvDevice d : made) {
            if (d.live()) {
                d.check(l -> { }, problems::add);
            }
        }
        assertThat(problems).isEmpty();
        CheckResult r = MmCheck.run(mm.guest(), null);
        assertThat(r.ok()).as(r.text()).isTrue();
    }

    @Override
    public void close() throws InterruptedException {
        for (HvDevice d : made) {
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
