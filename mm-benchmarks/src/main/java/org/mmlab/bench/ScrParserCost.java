package org.mmlab.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;

import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

/**
 * What Felix SCR 2.2.18 pays to read a bundle's component descriptors: a new JAXP factory and SAX
 * parser for each descriptor (BundleComponentActivator.loadDescriptor), against the parse itself
 * and against one parser reused with {@code reset()} (not JMH: the first calls of a fresh JVM are
 * what a lab's start and a race's new class loader meet, so each figure is a wall-clock time of
 * one call, the first ones reported alone).
 *
 * <p>Method. The descriptors are the {@code Service-Component} files of the bundle jars given
 * (each read into memory first, so no I/O is timed). Then {@code --rounds} rounds, each timing
 * (System.nanoTime) for every descriptor: {@code new}: {@code SAXParserFactory.newInstance()},
 * {@code setNamespaceAware(true)}, {@code newSAXParser()} as SCR does; {@code parse}: that
 * parser's {@code parse()} with a handler that counts elements (SCR's XmlHandler is not on this
 * class path: its work a element is small beside the parser's); {@code reuse}: {@code reset()}
 * and {@code parse()} of one parser made before the round. Reported: round 1 (cold: the first
 * descriptor alone, then the sum over all), and the median over the later rounds of the sum over
 * all descriptors, in microseconds. The launcher names the JDK's factory with the system property
 * javax.xml.parsers.SAXParserFactory, as mmlab.bndrun does, unless {@code --no-property}.
 *
 * <p>Usage: {@code java -cp mm-benchmarks/target/benchmarks.jar org.mmlab.bench.ScrParserCost
 * [--rounds N] [--no-property] BUNDLE.jar...}
 */
public final class ScrParserCost {
    private static final String JDK_FACTORY = "com.sun.org.apache.xerces.internal.jaxp.SAXParserFactoryImpl";

    public static void main(String[] args) throws Exception {
        int rounds = 50;
        boolean property = true;
        List<byte[]> descriptors = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--no-property" -> property = false;
                default -> descriptors.addAll(descriptorsOf(args[i]));
            }
        }
        if (descriptors.isEmpty() || rounds < 2) {
            throw new IllegalArgumentException("usage: ScrParserCost [--rounds N>=2] [--no-property] BUNDLE.jar...");
        }
        if (property) {
            System.setProperty("javax.xml.parsers.SAXParserFactory", JDK_FACTORY);
        }
        int n = descriptors.size();
        long[][] sums = new long[3][rounds];
        long[] first = new long[3];
        long elements = 0;
        for (int r = 0; r < rounds; r++) {
            Counter counter = new Counter();
            SAXParser reused = newParser();
            for (int d = 0; d < n; d++) {
                long t0 = System.nanoTime();
                SAXParser p = newParser();
                long t1 = System.nanoTime();
                p.parse(new ByteArrayInputStream(descriptors.get(d)), counter);
                long t2 = System.nanoTime();
                reused.reset();
                reused.parse(new ByteArrayInputStream(descriptors.get(d)), counter);
                long t3 = System.nanoTime();
                if (r == 0 && d == 0) {
                    first[0] = t1 - t0;
                    first[1] = t2 - t1;
                    first[2] = t3 - t2;
                }
                sums[0][r] += t1 - t0;
                sums[1][r] += t2 - t1;
                sums[2][r] += t3 - t2;
            }
            elements = counter.elements;
        }
        System.out.printf(Locale.ROOT, "%d descriptors, %d elements a round, %d rounds, factory %s%n", n, elements / 2,
                rounds, SAXParserFactory.newInstance().getClass().getName());
        String[] names = {"new factory+parser", "parse (new parser)", "reset+parse (one parser)"};
        System.out.printf(Locale.ROOT, "%-26s %12s %14s %18s %18s%n", "us", "first one", "round 1, all",
                "later, all (med)", "later, one (med)");
        for (int k = 0; k < 3; k++) {
            long[] later = Arrays.copyOfRange(sums[k], 1, rounds);
            Arrays.sort(later);
            double med = later[later.length / 2] / 1e3;
            System.out.printf(Locale.ROOT, "%-26s %12.1f %14.1f %18.1f %18.2f%n", names[k], first[k] / 1e3,
                    sums[k][0] / 1e3, med, med / n);
        }
    }

    private static SAXParser newParser() throws Exception {
        SAXParserFactory factory = SAXParserFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newSAXParser();
    }

    /** The files a bundle's Service-Component header names, in its order (no wildcards: bnd writes none). */
    private static List<byte[]> descriptorsOf(String jar) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar)) {
            String header;
            try (InputStream in = zip.getInputStream(zip.getEntry("META-INF/MANIFEST.MF"))) {
                header = new java.util.jar.Manifest(in).getMainAttributes().getValue("Service-Component");
            }
            if (header == null) {
                return out;
            }
            for (String path : header.split("\\s*,\\s*")) {
                ZipEntry e = zip.getEntry(path.trim());
                if (e == null) {
                    throw new IOException(jar + ": no " + path);
                }
                try (InputStream in = zip.getInputStream(e)) {
                    out.add(in.readAllBytes());
                }
            }
        }
        return out;
    }

    private static final class Counter extends DefaultHandler {
        long elements;

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes) {
            elements++;
        }
    }
}
