package org.mmlab.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;

/**
 * How many DS components a bundle declares in the XML files its Service-Component header names. SCR
 * takes a bundle's components on only after the bundle is ACTIVE, one at a time, and enables them
 * after that: until SCR lists them all, enabled, the bundle's components have not started.
 */
final class DeclaredComponents {

    /** By bundle id and last modification: a bundle's descriptors change only with the bundle. */
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    /** @return the components {@code bundle} declares, 0 without a Service-Component header */
    int of(Bundle bundle) {
        // the headers too only once a bundle: Felix copies them into a new map at each getHeaders
        return counts.computeIfAbsent(bundle.getBundleId() + "@" + bundle.getLastModified(), k -> count(bundle));
    }

    /**
     * Counts, ahead of their first look, the components of the bundles whose content can be read without
     * resolving them (RESOLVED, STARTING or ACTIVE: Bundle.findEntries() would resolve an INSTALLED one). The
     * wait does this while the framework still starts bundles and the waiting thread has nothing else to do:
     * read at the look that finds every bundle up, the 30 bundles' descriptors took 120-140 ms of the main
     * thread (load 9-13, 2026-12-08), between the last bundle starting and the first statement.
     */
    void countAhead(Bundle[] bundles) {
        for (Bundle bundle : bundles) {
            if ((bundle.getState() & (Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE)) != 0) {
                of(bundle);
            }
        }
    }

    private static int count(Bundle bundle) {
        String header = bundle.getHeaders("").get("Service-Component");
        if (header == null) {
            return 0;
        }
        int n = 0;
        for (String location : header.split("\\s*,\\s*")) {
            String path = location.trim();
            if (path.isEmpty()) {
                continue;
            }
            int slash = path.lastIndexOf('/');
            Enumeration<URL> urls = bundle.findEntries(slash < 0 ? "/" : path.substring(0, slash),
                    path.substring(slash + 1), false);
            for (URL url : urls == null ? Collections.<URL>emptyList() : Collections.list(urls)) {
                n += componentsIn(url);
            }
        }
        return n;
    }

    /** Its markup is ASCII in any encoding a descriptor is written in: each byte read as one char keeps it. */
    private static int componentsIn(URL descriptor) {
        try (InputStream in = descriptor.openStream()) {
            return ComponentElements.in(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return 0; // SCR skips a descriptor it cannot read (and logs it): so do we
        }
    }
}
