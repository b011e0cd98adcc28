package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * The balloon-api bundle registers balloon_mops for PGTY_offline when the guest boots (balloon_init()),
 * as the kernel does; a test driver that wants that page type for its own movable_ops stops the bundle
 * first (a kernel without CONFIG_BALLOON_MIGRATION) and starts it again afterwards.
 */
final class BalloonInfrastructure {
    static final String BSN = "balloon-api-bundle";

    private BalloonInfrastructure() {
    }

    static void stop(BundleContext context) throws BundleException {
        bundle(context).stop();
    }

    static void start(BundleContext context) throws BundleException {
        bundle(context).start();
    }

    static Bundle bundle(BundleContext context) {
        Bundle b = Arrays.stream(context.getBundles()).filter(x -> BSN.equals(x.getSymbolicName())).findFirst()
                .orElse(null);
        assertThat(b).as(BSN + " is installed").isNotNull();
        return b;
    }
}
