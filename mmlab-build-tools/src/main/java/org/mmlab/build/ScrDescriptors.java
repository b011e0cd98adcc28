package org.mmlab.build;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Puts a bundle's component descriptors in one file: every {@code component} element bnd wrote from
 * the DS annotations, one file a component, goes into {@value #MERGED}, which the Service-Component
 * header then names alone (Declarative Services 112.4.1: a document may hold several component
 * elements inside a larger one). Felix SCR 2.2.18 makes a new JAXP SAX parser for each descriptor
 * file it reads (BundleComponentActivator.loadDescriptor), each time a bundle of a new bundle id
 * starts; one file a bundle makes it one parser.
 *
 * <p>Each element is kept byte for byte as bnd wrote it, its namespace declaration with it; only the
 * XML declaration of each file goes. The merged document is parsed again and each of its elements
 * compared with its file's ({@code Node.isEqualNode}) before the jar is written. A jar whose header
 * names fewer than two descriptors is left alone.
 *
 * <p>Run by the build after bnd made the jar, as an Ant task (the parent pom's {@code scr-descriptors}
 * execution: {@code <taskdef>} takes any class with an {@code execute()} method), or as a program:
 * {@code ScrDescriptors JAR...}.
 */
public final class ScrDescriptors {
    /** The one descriptor of a merged bundle. */
    public static final String MERGED = "OSGI-INF/components.xml";

    private static final String HEADER = "Service-Component";
    private static final Pattern DECLARATION = Pattern.compile("\\A\\uFEFF?\\s*<\\?xml[^>]*\\?>\\s*");

    private File jar;

    /** The bundle jar, for Ant's {@code <scr-descriptors jar="..."/>}. */
    public void setJar(File jar) {
        this.jar = jar;
    }

    /** Ant's entry: merges the jar given; an exception fails the build. */
    public void execute() throws IOException {
        if (jar == null) {
            throw new IllegalArgumentException("scr-descriptors: the jar attribute is required (a bundle jar)");
        }
        merge(jar.toPath());
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: ScrDescriptors JAR... (bundles whose component descriptors to merge)");
        }
        for (String jar : args) {
            merge(Path.of(jar));
        }
    }

    /**
     * Merges the component descriptors of a bundle jar in place.
     *
     * @return how many descriptor files went into {@value #MERGED}; 0 when the jar was left alone
     */
    public static int merge(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + ": not a file; a bundle jar is allowed");
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Map<String, ZipEntry> meta = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                ZipEntry entry = e.nextElement();
                try (InputStream in = zip.getInputStream(entry)) {
                    entries.put(entry.getName(), in.readAllBytes());
                }
                meta.put(entry.getName(), entry);
            }
        }
        byte[] manifestBytes = entries.get(JarFile.MANIFEST_NAME);
        if (manifestBytes == null) {
            throw new IOException(jar + ": no " + JarFile.MANIFEST_NAME + "; a bundle jar is allowed");
        }
        Manifest manifest = new Manifest(new ByteArrayInputStream(manifestBytes));
        String header = manifest.getMainAttributes().getValue(HEADER);
        if (header == null) {
            return 0;
        }
        List<String> paths = new ArrayList<>();
        for (String path : header.split(",")) {
            path = path.trim();
            if (path.isEmpty() || path.contains("*") || path.contains(";")) {
                throw new IOException(jar + ": " + HEADER + " entry '" + path
                        + "': only plain paths (as bnd writes them) are allowed");
            }
            paths.add(path);
        }
        if (paths.size() < 2) {
            return 0;
        }
        if (entries.containsKey(MERGED)) {
            throw new IOException(jar + ": " + MERGED + " is there already and is not named alone by " + HEADER
                    + "; a component named 'components' would need another merged name");
        }
        List<byte[]> descriptors = new ArrayList<>();
        for (String path : paths) {
            byte[] bytes = entries.get(path);
            if (bytes == null) {
                throw new IOException(jar + ": " + HEADER + " names " + path + ", which the jar does not hold");
            }
            descriptors.add(bytes);
        }
        byte[] merged = mergedDocument(descriptors);
        check(merged, descriptors, jar);

        manifest.getMainAttributes().put(new Attributes.Name(HEADER), MERGED);
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        manifest.write(m);

        Path tmp = Files.createTempFile(jar.getParent(), jar.getFileName().toString(), ".tmp");
        try {
            try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
                boolean written = false;
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    String name = e.getKey();
                    if (paths.contains(name)) {
                        if (!written) {   // where the first descriptor was
                            put(out, MERGED, meta.get(name), merged);
                            written = true;
                        }
                    } else {
                        put(out, name, meta.get(name), name.equals(JarFile.MANIFEST_NAME) ? m.toByteArray() : e.getValue());
                    }
                }
            }
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return paths.size();
    }

    /** One document: each file's content without its XML declaration, in a {@code components} root (SCR ignores it). */
    static byte[] mergedDocument(List<byte[]> descriptors) throws IOException {
        StringBuilder doc = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<components>\n");
        for (byte[] d : descriptors) {
            String text = new String(d, StandardCharsets.UTF_8);
            String body = DECLARATION.matcher(text).replaceFirst("");
            if (body.startsWith("<?") || body.contains("<!DOCTYPE")) {
                throw new IOException("a descriptor with a processing instruction or a document type: "
                        + text.substring(0, Math.min(80, text.length())));
            }
            doc.append(body.stripTrailing()).append('\n');
        }
        return doc.append("</components>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The merged document's elements, in order, are the files' root elements, node for node. */
    private static void check(byte[] merged, List<byte[]> descriptors, Path jar) throws IOException {
        Element root = parse(merged).getDocumentElement();
        List<Element> children = new ArrayList<>();
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element el) {
                children.add(el);
            }
        }
        if (children.size() != descriptors.size()) {
            throw new IOException(jar + ": the merged descriptor holds " + children.size() + " elements, not "
                    + descriptors.size());
        }
        for (int i = 0; i < children.size(); i++) {
            Element original = parse(descriptors.get(i)).getDocumentElement();
            if (!"component".equals(original.getLocalName()) || !original.isEqualNode(children.get(i))) {
                throw new IOException(jar + ": component descriptor " + (i + 1) + " ("
                        + original.getAttribute("name") + ") is not the same in the merged document");
            }
        }
    }

    private static Document parse(byte[] xml) throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new DefaultHandler() {   // the exception says it; the default handler prints it too
                @Override
                public void fatalError(SAXParseException e) throws SAXParseException {
                    throw e;
                }
            });
            return b.parse(new ByteArrayInputStream(xml));
        } catch (Exception e) {
            throw new IOException("not a well-formed descriptor: " + e.getMessage(), e);
        }
    }

    /** An entry with the original's time and method (bnd's reproducible time stays). */
    private static void put(ZipOutputStream out, String name, ZipEntry like, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(like.getTime());
        if (like.getMethod() == ZipEntry.STORED) {
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            e.setCompressedSize(data.length);
            e.setCrc(crc.getValue());
        }
        out.putNextEntry(e);
        out.write(data);
        out.closeEntry();
    }
}
