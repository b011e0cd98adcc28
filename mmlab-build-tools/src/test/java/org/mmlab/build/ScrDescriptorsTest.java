package org.mmlab.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import javax.xml.parsers.SAXParserFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xml.sax.helpers.DefaultHandler;

class ScrDescriptorsTest {
    @TempDir
    Path dir;

    private static final String A = """
            <?xml version="1.0" encoding="UTF-8"?>
            <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="org.x.A" configuration-pid="org.x.a" init="1">
              <property name="size" type="Long" value="4"/>
              <service>
                <provide interface="org.x.Api"/>
              </service>
              <reference name="mm" interface="org.x.Mm" parameter="0"/>
              <implementation class="org.x.A"/>
            </scr:component>
            """;
    private static final String B = """
            <?xml version="1.0" encoding="UTF-8"?>
            <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="org.x.B" immediate="true">
              <property name="osgi.command.function" type="String">one
            two</property>
              <implementation class="org.x.B"/>
            </scr:component>
            """;

    @Test
    void everyComponentGoesIntoOneDescriptorThatTheHeaderNamesAlone() throws Exception {
        Path jar = bundle("OSGI-INF/org.x.A.xml,OSGI-INF/org.x.B.xml", Map.of("OSGI-INF/org.x.A.xml", A, "OSGI-INF/org.x.B.xml", B));

        assertThat(ScrDescriptors.merge(jar)).isEqualTo(2);

        try (ZipFile zip = new ZipFile(jar.toFile())) {
            assertThat(Collections.list(zip.entries()).stream().map(ZipEntry::getName))
                    .containsExactly(JarFile.MANIFEST_NAME, "OSGI-INF/", ScrDescriptors.MERGED, "org/x/A.class");
            Manifest m = new Manifest(zip.getInputStream(zip.getEntry(JarFile.MANIFEST_NAME)));
            assertThat(m.getMainAttributes().getValue("Service-Component")).isEqualTo(ScrDescriptors.MERGED);
            assertThat(m.getMainAttributes().getValue("Bundle-SymbolicName")).isEqualTo("x");
            String merged = new String(zip.getInputStream(zip.getEntry(ScrDescriptors.MERGED)).readAllBytes(), StandardCharsets.UTF_8);
            // each element as bnd wrote it, its namespace declaration with it
            assertThat(merged).contains(A.substring(A.indexOf("<scr:")).strip(), B.substring(B.indexOf("<scr:")).strip());
            assertThat(zip.getEntry(ScrDescriptors.MERGED).getTime()).isEqualTo(zip.getEntry("org/x/A.class").getTime());
            // what a namespace-aware SAX parser (SCR's) sees: both components, each in its own DS namespace
            List<String> components = new ArrayList<>();
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(true);
            f.newSAXParser().parse(zip.getInputStream(zip.getEntry(ScrDescriptors.MERGED)), new DefaultHandler() {
                @Override
                public void startElement(String uri, String local, String q, org.xml.sax.Attributes atts) {
                    if (local.equals("component")) {
                        components.add(uri + " " + atts.getValue("", "name"));
                    }
                }
            });
            assertThat(components).containsExactly("http://www.osgi.org/xmlns/scr/v1.4.0 org.x.A",
                    "http://www.osgi.org/xmlns/scr/v1.3.0 org.x.B");
        }
    }

    @Test
    void aBundleWithOneDescriptorOrNoneIsLeftAlone() throws Exception {
        Path one = bundle("OSGI-INF/org.x.A.xml", Map.of("OSGI-INF/org.x.A.xml", A));
        Path none = bundle(null, Map.of());
        byte[] before = Files.readAllBytes(one);

        assertThat(ScrDescriptors.merge(one)).isZero();
        assertThat(ScrDescriptors.merge(none)).isZero();
        assertThat(Files.readAllBytes(one)).isEqualTo(before);
    }

    @Test
    void aHeaderNamingAMissingFileOrAWildcardIsRefused() throws Exception {
        Path missing = bundle("OSGI-INF/org.x.A.xml,OSGI-INF/gone.xml", Map.of("OSGI-INF/org.x.A.xml", A));
        Path wildcard = bundle("OSGI-INF/*.xml", Map.of("OSGI-INF/org.x.A.xml", A));

        assertThatThrownBy(() -> ScrDescriptors.merge(missing)).isInstanceOf(IOException.class)
                .hasMessageContaining("OSGI-INF/gone.xml, which the jar does not hold");
        assertThatThrownBy(() -> ScrDescriptors.merge(wildcard)).isInstanceOf(IOException.class)
                .hasMessageContaining("only plain paths");
    }

    @Test
    void aDescriptorThatIsNotWellFormedIsRefusedAndTheJarKept() throws Exception {
        Path jar = bundle("OSGI-INF/org.x.A.xml,OSGI-INF/org.x.B.xml",
                Map.of("OSGI-INF/org.x.A.xml", A, "OSGI-INF/org.x.B.xml", B.replace("</scr:component>", "")));
        byte[] before = Files.readAllBytes(jar);

        assertThatThrownBy(() -> ScrDescriptors.merge(jar)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a well-formed descriptor");
        assertThat(Files.readAllBytes(jar)).isEqualTo(before);
    }

    /** A bundle jar as bnd writes one: the manifest first, OSGI-INF's descriptors, a class. */
    private Path bundle(String serviceComponent, Map<String, String> descriptors) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-SymbolicName", "x");
        if (serviceComponent != null) {
            m.getMainAttributes().putValue("Service-Component", serviceComponent);
        }
        Path jar = Files.createTempFile(dir, "bundle", ".jar");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("OSGI-INF/", new byte[0]);
        new TreeMap<>(descriptors).forEach((k, v) -> entries.put(k, v.getBytes(StandardCharsets.UTF_8)));
        entries.put("org/x/A.class", new byte[] {(byte) 0xca, (byte) 0xfe});
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            ZipEntry me = new ZipEntry(JarFile.MANIFEST_NAME);
            me.setTime(1767225600000L);
            out.putNextEntry(me);
            m.write(out);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey());
                z.setTime(1767225600000L);
                out.putNextEntry(z);
                out.write(e.getValue());
            }
        }
        return jar;
    }
}
