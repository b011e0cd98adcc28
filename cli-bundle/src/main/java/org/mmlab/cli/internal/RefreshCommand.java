package org.mmlab.cli.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code refresh [BUNDLE...]}: FrameworkWiring.refreshBundles(), waiting until it is done, so the
 * next statement sees the refreshed bundles. Without arguments it refreshes the bundles that were
 * updated or uninstalled; Gogo's own felix:refresh failed there (a NullPointerException), and this
 * one takes its place by ranking.
 */
@Component(service = RefreshCommand.class, property = {"osgi.command.scope=felix",
    "osgi.command.function=refresh", Constants.SERVICE_RANKING + ":Integer=1"})
public class RefreshCommand {
    /** How long a refresh may take: it stops and starts every bundle wired to the refreshed ones. */
    static final long TIMEOUT_SECONDS = 60;

    private final BundleContext context;

    @Activate
    public RefreshCommand(BundleContext context) {
        this.context = context;
    }

    @Descriptor("refresh bundles and every bundle wired to them, and wait until done; without arguments, the"
            + " bundles that were updated or uninstalled")
    public void refresh(@Descriptor("bundle ids or symbolic names (see lb)") String... bundles)
            throws InterruptedException {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_ID).adapt(FrameworkWiring.class);
        List<Bundle> targets = bundles.length == 0 ? null : find(bundles);
        Collection<Bundle> affected = wiring.getDependencyClosure(
                targets == null ? wiring.getRemovalPendingBundles() : targets);
        if (affected.isEmpty()) {
            System.out.println("nothing to refresh: no bundle was updated or uninstalled");
            return;
        }
        if (affected.contains(context.getBundle())) {
            throw new IllegalArgumentException("refreshing " + names(affected) + " would restart the lab's shell under"
                    + " this command: refresh other bundles, or restart the lab");
        }
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<FrameworkEvent> result = new AtomicReference<>();
        wiring.refreshBundles(targets, event -> {
            result.set(event);
            done.countDown();
        });
        if (!done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the refresh of " + names(affected) + " did not end within "
                    + TIMEOUT_SECONDS + " s");
        }
        if (result.get().getType() == FrameworkEvent.ERROR) {
            throw new IllegalStateException("the refresh failed: " + FailureMessage.of(result.get().getThrowable()));
        }
        System.out.println("refreshed " + names(affected));
    }

    private List<Bundle> find(String[] bundles) {
        List<Bundle> found = new ArrayList<>();
        for (String b : bundles) {
            Bundle bundle = null;
            if (b != null && b.matches("[0-9]{1,18}")) {
                bundle = context.getBundle(Long.parseLong(b));
            } else if (b != null) {
                for (Bundle candidate : context.getBundles()) {
                    if (b.equals(candidate.getSymbolicName())) {
                        bundle = candidate;
                    }
                }
            }
            if (bundle == null) {
                throw new IllegalArgumentException("no bundle '" + b + "': give bundle ids or symbolic names (see lb)");
            }
            found.add(bundle);
        }
        return found;
    }

    private static String names(Collection<Bundle> bundles) {
        return bundles.stream().map(b -> b.getSymbolicName() + " [" + b.getBundleId() + "]")
                .collect(Collectors.joining(", "));
    }
}
