package org.mmlab.cli.internal;

import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.osgi.framework.Bundle;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

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
        String header = bundle.getHeaders("").get("Service-Component");
        if (header == null) {
            return 0;
        }
        return counts.computeIfAbsent(bundle.getBundleId() + "@" + bundle.getLastModified(), k -> count(bundle, header));
    }

    private static int count(Bundle bundle, String header) {
        DocumentBuilder parser;
        try {
            // one parser for the bundle's descriptors: finding a factory, a service-loader search, cost
            // more than parsing one, on the path from the last bundle's start to the first statement
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            parser = factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            return 0; // no parser: as for a descriptor it cannot read
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
                n += componentsIn(parser, url);
            }
        }
        return n;
    }

    /** Component elements: the document's root, or its children (112.4.2: either is allowed). */
    private static int componentsIn(DocumentBuilder parser, URL descriptor) {
        try (InputStream in = descriptor.openStream()) {
            Element root = parser.parse(in).getDocumentElement();
            if (isComponent(root)) {
                return 1;
            }
            int n = 0;
            for (Node child = root.getFirstChild(); child != null; child = child.getNextSibling()) {
                n += child instanceof Element && isComponent((Element) child) ? 1 : 0;
            }
            return n;
        } catch (Exception e) {
            return 0; // SCR skips a descriptor it cannot read (and logs it): so do we
        }
    }

    private static boolean isComponent(Element e) {
        String name = e.getLocalName() != null ? e.getLocalName() : e.getTagName();
        return "component".equals(name);
    }
}
