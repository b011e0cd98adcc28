package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.lab.ModuleCaller;

/**
 * virtio_config_changed() against the probe and virtio_dev_remove() (v6.18 drivers/virtio/virtio.c): a
 * config change reaches the driver only from the probe's end to the remove's start, under dev->config_lock,
 * so the remove waits for one in flight. Without that, lab:storm under 2012/module-ref (seed 1, cycle 500)
 * caught the hosts' target mover in virtballoon_changed() after virtio-bundle was gone:
 * "BUG: KASAN: use-after-unload in drv->config_changed at entry".
 */
class VirtioConfigChangeTest {
    final VirtioDevice vdev = new VirtioDevice("0", 0, 0, ModuleCaller.BUILT_IN);
    final AtomicInteger told = new AtomicInteger();

    @Test
    void aChangeBeforeTheProbeEndedIsToldWhenItEnds() {
        vdev.deviceReady(told::incrementAndGet);

        vdev.configChangedInterrupt();
        assertThat(told).as("pending while the probe runs").hasValue(0);
        vdev.virtioConfigCoreEnable();
        assertThat(told).as("told at the probe's end").hasValue(1);
        vdev.configChangedInterrupt();
        assertThat(told).hasValue(2);
    }

    @Test
    void theRemoveWaitsForAChangeInFlightAndNoneReachesTheDriverAfterIt() throws Exception {
        CountDownLatch inDriver = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        vdev.deviceReady(() -> {
            told.incrementAndGet();
            inDriver.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        vdev.virtioConfigCoreEnable();
        Thread host = new Thread(vdev::configChangedInterrupt, "host");
        host.start();
        inDriver.await();

        Thread remove = new Thread(vdev::virtioConfigCoreDisable, "remove");
        remove.start();
        while (remove.getState() != Thread.State.BLOCKED) {
            assertThat(remove.isAlive()).as("virtio_config_core_disable() returned while config_changed() ran").isTrue();
            Thread.sleep(1);
        }
        release.countDown();
        remove.join();
        host.join();

        vdev.configChangedInterrupt();
        assertThat(told).as("no config change reaches the driver after the remove began").hasValue(1);
    }
}
