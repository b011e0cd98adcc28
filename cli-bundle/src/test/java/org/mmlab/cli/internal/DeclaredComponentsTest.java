package org.mmlab.cli.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Hashtable;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/** The components a bundle declares, counted as SCR reads them: one per file as bnd writes, or several. */
class DeclaredComponentsTest {
    private static final java.util.concurrent.atomic.AtomicLong NEXT_ID = new java.util.concurrent.atomic.AtomicLong();

    @TempDir
    Path dir;

    @Test
    void eachComponentOfEachDescriptorInTheHeaderCounts() throws Exception {
        Path one = Files.writeString(dir.resolve("a.xml"), "<?xml version='1.0'?>"
                + "<scr:component xmlns:scr='http://www.osgi.org/xmlns/scr/v1.3.0' name='a'/>", UTF_8);
        Path two = Files.writeString(dir.resolve("b.xml"), "<components xmlns:scr='http://www.osgi.org/xmlns/scr/v1.3.0'>"
                + "<scr:component name='b'/><scr:component name='c'/></components>", UTF_8);

        Bundle bundle = bundle("OSGI-INF/a.xml, OSGI-INF/b.xml", one, two);

        assertThat(new DeclaredComponents().of(bundle)).isEqualTo(3);
    }

    @Test
    void countingAheadReadsResolvedBundlesOnlyAndTheLookFindsTheCount() throws Exception {
        Path one = Files.writeString(dir.resolve("a.xml"), "<scr:component xmlns:scr='http://www.osgi.org/xmlns/scr/v1.3.0'"
                + " name='a'/>", UTF_8);
        Bundle resolved = bundle(Bundle.RESOLVED, "OSGI-INF/a.xml", one);
        // findEntries() would resolve an INSTALLED bundle: its proxy has no entries to give, and fails if asked
        Bundle installed = bundle(Bundle.INSTALLED, "OSGI-INF/b.xml");
        DeclaredComponents declared = new DeclaredComponents();

        declared.countAhead(new Bundle[] {installed, resolved});

        assertThat(declared.of(resolved)).isEqualTo(1); // from the count ahead: its one entry was read already
    }

    @Test
    void aBundleWithoutServiceComponentHeaderDeclaresNone() {
        assertThat(new DeclaredComponents().of(bundle(null))).isZero();
    }

    /** A bundle with this Service-Component header whose entries are these files, in order. */
    private static Bundle bundle(String header, Path... entries) {
        return bundle(Bundle.ACTIVE, header, entries);
    }

    /** The same, in this state; each bundle has its own id. */
    private static Bundle bundle(int state, String header, Path... entries) {
        long id = NEXT_ID.incrementAndGet();
        Hashtable<String, String> headers = new Hashtable<>();
        if (header != null) {
            headers.put("Service-Component", header);
        }
        List<Path> left = new java.util.ArrayList<>(List.of(entries));
        return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getHeaders" -> headers;
                    case "getBundleId" -> id;
                    case "getLastModified" -> 7L;
                    case "getState" -> state;
                    case "findEntries" -> Collections.enumeration(List.<URL>of(left.remove(0).toUri().toURL()));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
