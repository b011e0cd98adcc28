package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/** The lab's services for the tests' extensions, which osgi-test's injection does not reach. */
final class Services {
    private Services() {
    }

    /** The service, once it runs (a guest's: of the guest running now); for services a bundle shares. */
    static <T> T get(Class<T> type) throws InterruptedException {
        BundleContext context = FrameworkUtil.getBundle(Services.class).getBundleContext();
        ServiceTracker<T, T> t = new ServiceTracker<>(context, type, null);
        t.open();
        try {
            T s = t.waitForService(Await.WAIT_MS);
            assertThat(s).as("the %s service", type.getSimpleName()).isNotNull();
            return s;
        } finally {
            t.close();
        }
    }
}
