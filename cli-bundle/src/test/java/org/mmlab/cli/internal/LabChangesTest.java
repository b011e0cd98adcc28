package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;

/**
 * The readiness wait wakes on the lab's changes, not at a poll's next look. Each wait here would last an
 * hour if no change ended it: the class's timeout only guards against a hang.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LabChangesTest {

    private static final long AN_HOUR_MS = TimeUnit.HOURS.toMillis(1);

    private final List<String> listeners = new ArrayList<>();

    @Test
    void aBundleEventWakesTheWait() throws Exception {
        try (LabChanges changes = new LabChanges(context())) {
            long seen = changes.count();
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> awaitAfter(changes, seen));

            while (!waiting.isDone()) {
                changes.bundleChanged(new BundleEvent(BundleEvent.STARTED, bundle()));
                Thread.onSpinWait();
            }
            waiting.get();
            assertThat(changes.count()).isGreaterThan(seen);
        }
    }

    @Test
    void aBundleEventWakesAWaitForTheBundlesAndAServiceEventDoesNot() throws Exception {
        try (LabChanges changes = new LabChanges(context())) {
            long seen = changes.count();
            long seenBundles = changes.bundleCount();

            changes.serviceChanged(null); // one of the services a starting bundle registers

            assertThat(changes.count()).isEqualTo(seen + 1);
            assertThat(changes.bundleCount()).isEqualTo(seenBundles);
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                try {
                    changes.awaitBundleChangeAfter(seenBundles, AN_HOUR_MS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            while (!waiting.isDone()) {
                changes.bundleChanged(new BundleEvent(BundleEvent.STARTED, bundle()));
                Thread.onSpinWait();
            }
            waiting.get();
            assertThat(changes.bundleCount()).isGreaterThan(seenBundles);
        }
    }

    @Test
    void goshsStartUpWakesAWaitForTheBundlesToo() throws Exception {
        try (LabChanges changes = new LabChanges(context())) {
            long seenBundles = changes.bundleCount();
            changes.changed();

            changes.awaitBundleChangeAfter(seenBundles, AN_HOUR_MS);

            assertThat(changes.bundleCount()).isEqualTo(seenBundles + 1);
        }
    }

    @Test
    void aChangeBetweenTheLookAndTheWaitIsNotMissed() throws Exception {
        try (LabChanges changes = new LabChanges(context())) {
            long seen = changes.count();
            changes.changed(); // Gogo's shell finished while the lab was being looked at

            changes.awaitAfter(seen, AN_HOUR_MS);

            assertThat(changes.count()).isEqualTo(seen + 1);
        }
    }

    @Test
    void closingRemovesEveryListenerItAdded() {
        new LabChanges(context()).close();

        assertThat(listeners).isEmpty();
    }

    private static void awaitAfter(LabChanges changes, long seen) {
        try {
            changes.awaitAfter(seen, AN_HOUR_MS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Bundle bundle() {
        return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A bundle context that keeps the names of the kinds of listener added and not yet removed. */
    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.startsWith("add") && name.endsWith("Listener")) {
                        listeners.add(name.substring(3));
                    } else if (name.startsWith("remove") && name.endsWith("Listener")) {
                        listeners.remove(name.substring(6));
                    } else {
                        throw new UnsupportedOperationException(name);
                    }
                    return null;
                });
    }
}
