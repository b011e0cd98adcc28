package org.mmlab.vmware.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.lab.ModuleCaller;

/** vmci_doorbell_destroy() against a ring in flight: the module's callback has returned before the destroy does. */
class VmciDoorbellTest {
    private final VmciDoorbell vmci = new VmciDoorbell(ModuleCaller.BUILT_IN);

    @Test
    void destroyWaitsForACallbackARingStartedAsVmciResourceRemoveDoes() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean returned = new AtomicBoolean();
        VmciDoorbell.Handle h = vmci.create(() -> {
            inside.countDown();
            await(release);
            returned.set(true);
        });
        Thread host = new Thread(() -> vmci.ring(h.context(), h.resource()), "hypervisor");
        host.start();
        assertThat(inside.await(30, TimeUnit.SECONDS)).as("the callback runs").isTrue();

        Thread remove = new Thread(() -> vmci.destroy(h), "vmballoon_exit");
        remove.start();
        remove.join(200); // not a timing claim: the destroy must still wait whatever the delay
        assertThat(remove.isAlive()).as("destroy waits while the callback runs").isTrue();
        release.countDown();
        remove.join(30_000);

        assertThat(remove.isAlive()).isFalse();
        assertThat(returned).as("the callback returned before the destroy did").isTrue();
        assertThat(vmci.ring(h.context(), h.resource())).as("a destroyed doorbell rings nothing").isFalse();
        host.join(30_000);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
