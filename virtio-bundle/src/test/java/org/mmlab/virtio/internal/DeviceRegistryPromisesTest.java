package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmlab.virtio.VirtioBalloonState;
import org.osgi.util.promise.Promise;

/** What the VirtioBalloons service promises: a device probed, a device gone, the driver at its host's target. */
class DeviceRegistryPromisesTest {

    @Test
    void aProbeAwaitedBeforeTheDeviceExistsIsKeptByItsProbeAndItsRemovalByItsRemove() throws Exception {
        try (TestGuest g = new TestGuest()) {
            Promise<VirtioBalloonState> probed = g.registry.probed("0");
            assertThat(probed.isDone()).isFalse();
            assertThat(g.registry.removed("0").isDone()).as("no device 0 runs: it is gone already").isTrue();

            VirtioBalloonDevice d = g.device("0");

            assertThat(probed.getValue().dev()).isEqualTo("virtio0");
            assertThat(g.registry.probed("0").isDone()).as("it runs: at once").isTrue();
            Promise<String> removed = g.registry.removed("0");
            assertThat(removed.isDone()).isFalse();

            d.deactivate();

            assertThat(removed.getValue()).isEqualTo("0");
        }
    }

    @Test
    void aProbeThatFailsBreaksThePromiseWithItsErrno() throws Exception {
        try (TestGuest g = new TestGuest()) {
            Promise<VirtioBalloonState> probed = g.registry.probed("1");

            g.device("1", new MappingLifecycle(false, false, true));

            assertThat(probed.getFailure()).hasMessage("virtio-balloon device 1: probe with driver virtio_balloon failed"
                    + " with error -12");
        }
    }

    @Test
    void aTargetIsReachedWhenTheDriverHoldsItsPagesAndToldTheHostSo() throws Exception {
        try (TestGuest g = new TestGuest()) {
            g.device("0");

            VirtioBalloonState s = g.registry.setTarget("0", 1000).getValue();

            assertThat(s.numPages()).isEqualTo(1000);
            assertThat(s.actual()).isEqualTo(1000);
            assertThat(s.hostHeld()).isEqualTo(1000);
            assertThat(g.registry.setTarget("0", 0).getValue().hostHeld()).isZero();
        }
    }

    @Test
    void aTargetForNoDeviceIsRefusedNamingTheDevicesThereAre() {
        try (TestGuest g = new TestGuest()) {
            g.device("0");

            assertThatThrownBy(() -> g.registry.setTarget("9", 10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no virtio-balloon device '9'; devices: 0");
        }
    }

    @Test
    void whenTheBundleStopsAProbeNoLongerComesAndTheDevicesAreGone() throws Exception {
        TestGuest g = new TestGuest();
        VirtioBalloonDevice d = g.device("0");
        Promise<VirtioBalloonState> never = g.registry.probed("1");
        Promise<String> removed = g.registry.removed("0");
        try {
            d.deactivate();
            g.registry.deactivate();

            assertThat(never.getFailure()).hasMessage("virtio-bundle stopped before device 1 was probed");
            assertThat(removed.getValue()).isEqualTo("0");
        } finally {
            g.close();
        }
    }
}
