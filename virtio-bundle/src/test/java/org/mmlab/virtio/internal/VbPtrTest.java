package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;
import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.mm.Errno;
import org.osgi.util.promise.Promise;

/**
 * vbPtr (seed 003: "What if there is more than one balloon device?"): with two devices, the merged
 * design migrates a page with the host of its own device; the v7 patch's global vb_ptr talks to the
 * device probed last.
 */
class VbPtrTest {

    @Test
    void perDeviceTellsTheHostOfThePagesOwnDevice() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d0 = g.device("0");
            g.inflateTo(d0, 10);
            VirtioBalloonDevice d1 = g.device("1");
            BalloonDevInfo b0 = d0.driver().vbDevInfo;
            int pfn = g.balloons.isolateOne(b0);
            int newPfn = g.mm.allocPages(FakeBalloons.GFP_BALLOON, 0);

            assertThat(g.balloons.migrate(b0, newPfn, pfn)).isZero();

            assertThat(d0.host().holds(newPfn)).isTrue();
            assertThat(d0.host().holds(pfn)).isFalse();
            assertThat(d1.host().view().held()).isZero();
            assertThat(d1.host().view().deflateNotHeld()).isZero();
            InflateDeflateTest.assertProblems(d0).isEmpty();
            InflateDeflateTest.assertProblems(d1).isEmpty();
        }
    }

    @Test
    void globalVbPtrTellsTheDeviceProbedLastWhichNeverHadTheOldPage() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d0 = g.device("0");
            g.inflateTo(d0, 10);
            VirtioBalloonDevice d1 = g.device("1");
            g.registry.vbPtr().modified(config(VbPtr.GLOBAL));
            BalloonDevInfo b0 = d0.driver().vbDevInfo;
            int pfn = g.balloons.isolateOne(b0);
            int newPfn = g.mm.allocPages(FakeBalloons.GFP_BALLOON, 0);

            assertThat(g.balloons.migrate(b0, newPfn, pfn)).isZero();

            assertThat(d1.host().holds(newPfn)).as("device 1's host was told to inflate it").isTrue();
            assertThat(d0.host().holds(pfn)).as("device 0's host still holds the freed old page").isTrue();
            assertThat(g.mm.pageCount(pfn)).isZero();
            assertThat(d1.host().view().deflateNotHeld()).isEqualTo(1);
            assertThat(g.dmesg()).contains(String.format("WARNING: virtio-balloon host 1: deflate of a frame it does"
                    + " not hold: pfn %#x, which virtio-balloon host 0 holds", pfn));
            InflateDeflateTest.assertProblems(d1).anyMatch(p -> p.startsWith("the host holds 1 frames"));
        }
    }

    @Test
    void globalVbPtrToARemovedDeviceIsAUseAfterFreeAndTheMigrationFails() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d0 = g.device("0");
            g.inflateTo(d0, 10);
            VirtioBalloonDevice d1 = g.device("1");
            g.registry.vbPtr().modified(config(VbPtr.GLOBAL));
            d1.deactivate();
            BalloonDevInfo b0 = d0.driver().vbDevInfo;
            int pfn = g.balloons.isolateOne(b0);
            int newPfn = g.mm.allocPages(FakeBalloons.GFP_BALLOON, 0);

            assertThat(g.balloons.migrate(b0, newPfn, pfn)).isEqualTo(-Errno.EBUSY);

            assertThat(g.dmesg()).anyMatch(l -> l.startsWith("BUG: KASAN: use-after-free in virtballoon_migratepage:"
                    + " vb_ptr is the struct virtio_balloon of virtio1"));
            assertThat(g.registry.vbPtr().vbPtrDevice()).isEqualTo("virtio1 (removed)");
            g.balloons.putback(b0, pfn);
            g.mm.putPage(newPfn);
        }
    }

    @Test
    void aRebootTakesVbPtrWithItSoTheOldGuestCanGo() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice d0 = g.device("0");
            g.registry.vbPtr().modified(config(VbPtr.GLOBAL));
            assertThat(g.registry.vbPtr().vbPtrDevice()).isEqualTo("virtio0");
            d0.deactivate();
            assertThat(g.registry.vbPtr().vbPtrDevice()).as("v7 never clears it").isEqualTo("virtio0 (removed)");

            g.registry.vbPtr().guestGone(g.mm); // the guest's MemoryManager goes: a reboot

            assertThat(g.registry.vbPtr().vbPtrDevice()).isEqualTo("none");
        }
    }

    @Test
    void aBadValueIsRefusedAndTheDesignInForceStays() {
        VbPtr v = new VbPtr(config(VbPtr.GLOBAL));

        assertThatThrownBy(() -> v.modified(config("sometimes"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vbPtr=sometimes: must be per-device or global");
        assertThat(v.value()).isEqualTo(VbPtr.GLOBAL);
        assertThat(v.refused()).isEqualTo("vbPtr=sometimes: must be per-device or global");

        VbPtr atBoot = new VbPtr(config("sometimes"));
        assertThat(atBoot.value()).as("refused at activation too, without failing it").isEqualTo(VbPtr.PER_DEVICE);
        assertThat(atBoot.refused()).contains("must be per-device or global");
    }

    @Test
    void aValueAwaitedIsAppliedWhenItsConfigurationArrivesNotBefore() throws Exception {
        VbPtr v = new VbPtr(config(VbPtr.PER_DEVICE));
        Promise<Void> global = v.applied(VbPtr.GLOBAL);
        assertThat(v.applied(VbPtr.PER_DEVICE).isDone()).as("in force already").isTrue();

        v.modified(config(VbPtr.PER_DEVICE)); // an earlier change, delivered first
        assertThat(global.isDone()).isFalse();
        v.modified(config(VbPtr.GLOBAL));

        assertThat(global.isDone()).isTrue();
        assertThat(v.value()).isEqualTo(VbPtr.GLOBAL);
    }

    static VbPtr.Config config(String value) {
        return (VbPtr.Config) Proxy.newProxyInstance(VbPtr.Config.class.getClassLoader(),
                new Class<?>[] {VbPtr.Config.class}, (proxy, method, args) -> value);
    }
}
