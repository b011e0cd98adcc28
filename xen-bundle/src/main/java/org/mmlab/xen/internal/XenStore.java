package org.mmlab.xen.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;
import org.mmlab.mm.lab.ModuleCaller;

/**
 * The guest's part of a simulated xenstore (drivers/xen/xenbus/xenbus_xs.c as xen-balloon.c uses it): the
 * toolstack writes keys such as memory/target; a watch on a key runs its callback on the xenwatch thread,
 * one at a time, in order, once when registered (as register_xenbus_watch() fires) and after every write.
 */
final class XenStore {
    private final Map<String, String> keys = new HashMap<>();
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final ExecutorService xenwatch;
    /** xenwatch_thread() is the kernel's code calling the module's watch callbacks: checked for use after unload. */
    private final ModuleCaller calls;

    private record Watch(String path, Consumer<String> callback) {
    }

    XenStore(String name, ModuleCaller calls) {
        this.calls = calls;
        xenwatch = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "xenwatch " + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** xenbus_scanf(): the value, or null when the key does not exist. */
    synchronized String read(String path) {
        return keys.get(path);
    }

    /** What the toolstack (xl mem-set) does: the key's watches fire. */
    void write(String path, String value) {
        synchronized (this) {
            keys.put(path, value);
        }
        for (Watch w : watches) {
            if (w.path().equals(path)) {
                fire(w);
            }
        }
    }

    /** register_xenbus_watch(): fires once now, then on every write of the key. */
    void watch(String path, Consumer<String> callback) {
        Watch w = new Watch(path, callback);
        watches.add(w);
        fire(w);
    }

    private void fire(Watch w) {
        try {
            xenwatch.execute(() -> {
                try (ModuleCall c = calls.callIntoModule(w.callback(), InjectionPoints.CALL_WATCH_CALLBACK, -1)) {
                    w.callback().accept(w.path());
                }
            });
        } catch (RejectedExecutionException e) {
            // closed: the guest went, nobody watches
        }
    }

    /** Waits until every watch event queued so far has run. */
    void sync() throws InterruptedException {
        try {
            xenwatch.submit(() -> { }).get();
        } catch (ExecutionException | RejectedExecutionException e) {
            // closed: no event runs any more
        }
    }

    /** unregister_xenbus_watch() of every watch; waits for a callback that runs. */
    void close() throws InterruptedException {
        watches.clear();
        xenwatch.shutdown();
        xenwatch.awaitTermination(1, TimeUnit.MINUTES);
    }
}
