package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The mapping lifecycle a device's configuration chooses (mappingInit, mappingFree, failInitVqs): its
 * values, and a probe whose init_vqs() fails, which undoes what it made, says so as the driver core
 * does, and leaves the device without a driver. (The v7 lifecycle itself needs the 2012 balloon
 * infrastructure: the race lab's races 4 and 5 run it in Felix.)
 */
class MappingLifecycleTest {
    @Test
    void theValuesAreV38OrV7AndAFreeWithoutClearingNeedsV7sInit() {
        assertThat(MappingLifecycle.parse("v3.8", "clear", false)).isEqualTo(MappingLifecycle.V38);
        assertThat(MappingLifecycle.parse("v7", "v7", true)).isEqualTo(new MappingLifecycle(true, true, true));
        assertThatThrownBy(() -> MappingLifecycle.parse("v8", "clear", false)).hasMessageContaining("mappingInit=v8")
                .hasMessageContaining("v3.8").hasMessageContaining("v7");
        assertThatThrownBy(() -> MappingLifecycle.parse("v7", "never", false)).hasMessageContaining("mappingFree=never");
        assertThatThrownBy(() -> MappingLifecycle.parse("v3.8", "v7", false))
                .hasMessageContaining("mappingFree=v7 needs mappingInit=v7");
    }

    @Test
    void aProbeWhoseInitVqsFailsFreesWhatItMadeAndLeavesTheDeviceWithoutADriver() {
        try (TestGuest g = new TestGuest()) {
            VirtioBalloonDevice unbound = g.device("1", new MappingLifecycle(false, false, true));

            assertThat(g.dmesg()).contains("virtio_balloon virtio1: probe with driver virtio_balloon failed with error -12");
            assertThat(g.balloons.calls).containsExactly("balloonDevinfoInit virtio-balloon 1 adjust=false",
                    "balloonDevinfoRemove virtio-balloon 1");
            assertThat(g.registry.get("1")).as("no driver bound").isEmpty();
            List<String> summary = new ArrayList<>();
            unbound.check(summary::add, p -> summary.add("PROBLEM " + p));
            assertThat(summary).containsExactly("no driver bound: probe failed with error -12");
            unbound.deactivate();
            assertThat(g.balloons.calls).hasSize(2);
            assertThat(g.device("1").driver().numPages()).as("the name is free for a device that probes").isZero();
        }
    }

    @Test
    void theV7LifecycleIsRefusedOutsideThe2012Contract() {
        try (TestGuest g = new TestGuest()) {
            assertThatThrownBy(() -> g.device("0", MappingLifecycle.parse("v7", "clear", false)))
                    .hasMessageContaining("2012");
            assertThat(g.registry.all()).isEmpty();
        }
    }
}
