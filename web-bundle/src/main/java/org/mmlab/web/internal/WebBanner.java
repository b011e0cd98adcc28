package org.mmlab.web.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.mmlab.cli.Banner;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.HttpServiceRuntimeConstants;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Tells a person where the lab's page and the Web Console are, from the addresses Felix HTTP
 * reports (its HttpServiceRuntime's endpoints), once it listens; or that it does not, and why to look.
 */
@Component
public class WebBanner implements Banner {

    /** How long the greeting waits for Jetty, which Felix HTTP starts once its configuration arrived. */
    static final long WAIT_SECONDS = 5;

    private final BundleContext context;
    private final ServiceTracker<HttpServiceRuntime, HttpServiceRuntime> runtime;
    private final ConsoleCredentials credentials;

    @Activate
    public WebBanner(BundleContext context, @Reference ConsoleCredentials credentials) {
        this.context = context;
        this.credentials = credentials;
        this.runtime = new ServiceTracker<>(context, HttpServiceRuntime.class, null);
        runtime.open();
    }

    @Deactivate
    void deactivate() {
        runtime.close();
    }

    @Override
    public List<String> lines() {
        try {
            runtime.waitForService(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ServiceReference<HttpServiceRuntime> ref = runtime.getServiceReference();
        List<String> endpoints = ref == null ? List.of() : endpoints(ref.getProperty(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT));
        if (endpoints.isEmpty()) {
            return List.of("the lab's page is not served: nothing listens on " + WebAddress.configured(context)
                    + " (another lab there? `log warn` says why; choose a port with -Dorg.osgi.service.http.port=N)");
        }
        String base = endpoints.get(0).endsWith("/") ? endpoints.get(0) : endpoints.get(0) + "/";
        List<String> lines = new ArrayList<>();
        lines.add("the lab's page: " + base + "mmlab/   (its data as JSON: " + base + "mmlab/api/)");
        lines.add("the Web Console: " + base + "system/console   (" + credentials.describe() + ")");
        return lines;
    }

    static List<String> endpoints(Object property) {
        if (property instanceof String s) {
            return List.of(s);
        }
        if (property instanceof String[] a) {
            return Arrays.asList(a);
        }
        if (property instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
