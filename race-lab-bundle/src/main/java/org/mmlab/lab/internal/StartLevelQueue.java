package org.mmlab.lab.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.startlevel.FrameworkStartLevel;

/**
 * The framework's start-level thread as a barrier. The bnd launcher's start-level handler (-runstartlevel) answers
 * each install and update by queuing the bundle's start level on that thread; a bundle uninstalled before the
 * thread gets to it makes Felix log "ERROR: Bundle ... Error locking ... Bundle in unexpected state" (harmless, but
 * an error in a storm's output). Felix handles the queue in order, so a request to stay at the active level,
 * queued behind, is answered once the requests before it are done.
 */
final class StartLevelQueue {
    private StartLevelQueue() {
    }

    /**
     * Returns when what is queued on the start-level thread now has been handled. Not while the framework is
     * still climbing to its beginning level: a request at the level it has reached would take it back down.
     */
    static void drain(BundleContext context, long timeoutMs) throws InterruptedException {
        FrameworkStartLevel fsl = context.getBundle(Constants.SYSTEM_BUNDLE_ID).adapt(FrameworkStartLevel.class);
        int active = fsl.getStartLevel();
        if (active < beginning(context)) {
            return;
        }
        CountDownLatch handled = new CountDownLatch(1);
        fsl.setStartLevel(active, e -> {
            if (e.getType() == FrameworkEvent.STARTLEVEL_CHANGED || e.getType() == FrameworkEvent.ERROR) {
                handled.countDown();
            }
        });
        if (!handled.await(timeoutMs, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the framework's start-level thread did not answer within "
                    + timeoutMs / 1000 + " s");
        }
    }

    /** The level the launcher takes the framework to (1 when it says none, as the framework's default). */
    private static int beginning(BundleContext context) {
        String level = context.getProperty(Constants.FRAMEWORK_BEGINNING_STARTLEVEL);
        try {
            return level == null ? 1 : Integer.parseInt(level.trim());
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE; // not a level this barrier can trust: do not queue anything
        }
    }
}
