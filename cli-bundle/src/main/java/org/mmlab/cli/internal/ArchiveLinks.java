package org.mmlab.cli.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Links, in the run of {@code ./mmlab} that writes the lab's class-data-sharing archive, the bundles' classes
 * that run loaded and never linked (a type the verifier loaded to check another class, never used itself):
 * JDK 17 writes only linked classes into a dynamic archive and links none of a custom class loader's before
 * it writes, so every later start parsed them again out of the bundles' jars (211 classes a start, most of
 * them Jetty's). Which classes: those that the JVM's {@code class+load} log of this run, written to the file
 * that framework property {@value #CLASS_LOG} names, gives with a bundle's jar as their source.
 */
final class ArchiveLinks {

    /** The JVM's class+load log of this run (-Xlog:class+load=info:file=F:none); set by ./mmlab's archive run only. */
    static final String CLASS_LOG = "mmlab.archive.classlog";

    private static final String SOURCE = " source: ";

    private ArchiveLinks() {
    }

    /**
     * The classes each jar gave in a class+load log: its source ({@code file:/...jar}) and their names, in the
     * log's order. Lines from the archive, the JDK's modules, and generated classes (lambdas, proxies: their
     * source is a class's name or a tag) are left out; decorations ({@code [0.5s][info][class,load]}) are skipped.
     */
    static Map<String, List<String>> classesByJar(List<String> lines) {
        Map<String, List<String>> byJar = new LinkedHashMap<>();
        for (String line : lines) {
            String text = line.strip();
            while (text.startsWith("[") && text.indexOf(']') > 0) {
                text = text.substring(text.indexOf(']') + 1).strip(); // a decoration: [0.5s][info][class,load]
            }
            int at = text.indexOf(SOURCE);
            if (at <= 0) {
                continue;
            }
            String source = text.substring(at + SOURCE.length()).strip();
            if (source.startsWith("file:") && source.endsWith(".jar")) {
                byJar.computeIfAbsent(source, s -> new ArrayList<>()).add(text.substring(0, at));
            }
        }
        return byJar;
    }

    /**
     * Links each class of {@code log} that came from an installed bundle's jar; a class that cannot be found or
     * linked (an optional dependency that is missing) is left as it was.
     *
     * @return how many classes were linked
     */
    static int link(BundleContext context, Path log) throws IOException {
        Map<String, List<String>> byJar = classesByJar(Files.readAllLines(log, UTF_8));
        int linked = 0;
        for (Bundle bundle : context.getBundles()) {
            // installed by reference (./mmlab) or from a file: either way its location ends with the jar's URL
            String location = bundle.getLocation();
            List<String> names = byJar.get(location.startsWith("reference:") ? location.substring(10) : location);
            if (names == null) {
                continue;
            }
            for (String name : names) {
                try {
                    // Class.getDeclaredFields() links the class (verifies it) without initializing it
                    bundle.loadClass(name).getDeclaredFields();
                    linked++;
                } catch (ClassNotFoundException | LinkageError | IllegalStateException e) {
                    // not linkable here: the archive leaves it out, as before
                }
            }
        }
        return linked;
    }
}
