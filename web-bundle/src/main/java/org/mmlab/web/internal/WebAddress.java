package org.mmlab.web.internal;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

import org.osgi.framework.BundleContext;

/** Where Felix HTTP listens, as configured, and whether an address is this machine's loopback only. */
final class WebAddress {

    /** Felix HTTP's framework property for the interface to bind; unset means every interface. */
    static final String HOST = "org.apache.felix.http.host";
    /** The OSGi HTTP port property, which Felix HTTP reads. */
    static final String PORT = "org.osgi.service.http.port";

    private WebAddress() {}

    /** HOST:PORT as the framework properties (or -D options) configure Felix HTTP. */
    static String configured(BundleContext context) {
        String host = context.getProperty(HOST);
        String port = context.getProperty(PORT);
        return (host == null ? "every interface" : host) + ":" + (port == null ? "8080" : port);
    }

    /** True if the configured host is a loopback address: nothing beyond this machine can connect. */
    static boolean configuredLoopback(BundleContext context) {
        return loopback(context.getProperty(HOST));
    }

    /** True if an endpoint URL such as http://127.0.0.1:8080/ is on a loopback address. */
    static boolean endpointLoopback(String endpoint) {
        try {
            return loopback(URI.create(endpoint).getHost());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean loopback(String host) {
        if (host == null || host.isBlank()) {
            return false; // every interface
        }
        try {
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            return InetAddress.getByName(bare).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
