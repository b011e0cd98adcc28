package org.mmlab.hyperv.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;
import org.mmlab.mm.lab.ModuleCaller;

/**
 * The VMBus channel of one balloon device (drivers/hv/channel.c, as hv_balloon.c uses it): the host's
 * messages reach the guest's balloon_onchannelcallback() one at a time, in order, on the channel's own
 * thread (the kernel's callback hands balloon and hot-add work to dm_device's work items, which run one at
 * a time too); the guest's vmbus_sendpacket() reaches the host at once, on the caller's thread. VMBus is the
 * kernel's code calling the balloon module's: each callback goes through the lab's use-after-unload check
 * ("channel->onchannel_callback").
 */
final class VmbusChannel {
    private final ExecutorService callbacks;
    private volatile Consumer<DmMessage> guest;
    private volatile Consumer<DmMessage> host;
    private final ModuleCaller calls;

    VmbusChannel(String name, ModuleCaller calls) {
        this.calls = calls;
        callbacks = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hv_balloon " + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** vmbus_open(): the guest's callback and the host's receiver. */
    void open(Consumer<DmMessage> guestCallback, Consumer<DmMessage> hostReceiver) {
        guest = guestCallback;
        host = hostReceiver;
    }

    /** The host sends: the guest's callback runs on the channel thread; false once the channel is closed. */
    boolean sendToGuest(DmMessage m) {
        Consumer<DmMessage> g = guest;
        if (g == null) {
            return false;
        }
        try {
            callbacks.execute(() -> {
                try (ModuleCall c = calls.callIntoModule(g, InjectionPoints.CALL_ONCHANNEL_CALLBACK, -1)) {
                    g.accept(m);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** vmbus_sendpacket() from the guest. */
    void sendToHost(DmMessage m) {
        Consumer<DmMessage> h = host;
        if (h != null) {
            h.accept(m);
        }
    }

    /** vmbus_close(): no more callbacks; waits for one that runs (not when called from it). */
    void close() throws InterruptedException {
        guest = null;
        callbacks.shutdown();
        if (!Thread.currentThread().getName().startsWith("hv_balloon ")) {
            callbacks.awaitTermination(1, TimeUnit.MINUTES);
        }
    }
}
