package org.mmlab.lab.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.osgi.framework.Bundle;

/**
 * A bundle's jar rebuilt from its entries (manifest first), so that the lab can uninstall a driver
 * and install it again, as insmod after rmmod, wherever the framework got it from.
 */
final class BundleBytes {
    private BundleBytes() {
    }

    static byte[] of(Bundle b) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            copy(b, jar, "META-INF/MANIFEST.MF");
            Enumeration<URL> entries = b.findEntries("/", "*", true);
            while (entries != null && entries.hasMoreElements()) {
                URL u = entries.nextElement();
                String path = u.getPath().startsWith("/") ? u.getPath().substring(1) : u.getPath();
                if (!path.equals("META-INF/MANIFEST.MF") && !path.endsWith("/")) {
                    copy(b, jar, path);
                }
            }
        }
        return bytes.toByteArray();
    }

    private static void copy(Bundle b, JarOutputStream jar, String path) throws IOException {
        URL u = b.getEntry(path);
        if (u == null) {
            throw new IOException(b.getSymbolicName() + " has no " + path);
        }
        jar.putNextEntry(new JarEntry(path));
        try (InputStream in = u.openStream()) {
            in.transferTo(jar);
        }
        jar.closeEntry();
    }
}
