package org.mmlab.itest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;

/** A bundle's jar, for the tests that uninstall a driver and install it again (rmmod, insmod). */
final class BundleJar {
    private BundleJar() {
    }

    /** The bundle's jar rebuilt from its entries: its location may name no file (the race lab installs from bytes). */
    static byte[] of(Bundle b) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (InputStream mf = b.getEntry(JarFile.MANIFEST_NAME).openStream();
                JarOutputStream jar = new JarOutputStream(bytes, new Manifest(mf))) {
            for (Enumeration<URL> e = b.findEntries("/", "*", true); e.hasMoreElements();) {
                URL u = e.nextElement();
                String path = u.getPath().substring(1);
                if (!path.endsWith("/") && !path.equals(JarFile.MANIFEST_NAME)) {
                    jar.putNextEntry(new JarEntry(path));
                    try (InputStream in = u.openStream()) {
                        in.transferTo(jar);
                    }
                }
            }
        }
        return bytes.toByteArray();
    }
}
