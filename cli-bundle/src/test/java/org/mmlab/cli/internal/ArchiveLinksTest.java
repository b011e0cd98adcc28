package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ArchiveLinksTest {

    private static final String JETTY = "file:/lab/mmlab-app/target/mmlab.bundles/jar/org.apache.felix.http.jetty12-1.1.8.jar";
    private static final String CORE = "file:/lab/mmlab-app/target/mmlab.bundles/jar/mm-core-bundle-0.1.0-SNAPSHOT.jar";

    @Test
    void theClassesOfEachJarAreTheLinesWithItAsTheirSource() {
        Map<String, List<String>> byJar = ArchiveLinks.classesByJar(List.of(
                "org.eclipse.jetty.http.MimeTypes source: " + JETTY,
                "org.mmlab.mm.internal.MemMap source: " + CORE,
                "org.eclipse.jetty.http.MimeTypes$Type source: " + JETTY));

        assertThat(byJar).containsExactly(
                Map.entry(JETTY, List.of("org.eclipse.jetty.http.MimeTypes", "org.eclipse.jetty.http.MimeTypes$Type")),
                Map.entry(CORE, List.of("org.mmlab.mm.internal.MemMap")));
    }

    @Test
    void theArchiveTheModulesAndGeneratedClassesAreLeftOut() {
        Map<String, List<String>> byJar = ArchiveLinks.classesByJar(List.of(
                "java.lang.Object source: shared objects file",
                "org.eclipse.jetty.server.Server source: shared objects file (top)",
                "java.sql.Driver source: jrt:/java.sql",
                "org.mmlab.mm.internal.MmCore$$Lambda$311/0x0000000801234 source: org.mmlab.mm.internal.MmCore",
                "java.lang.invoke.LambdaForm$MH/0x00007fe434000400 source: __JVM_LookupDefineClass__",
                "jdk.proxy2.$Proxy12 source: __dynamic_proxy__",
                "org.apache.felix.framework.Felix source: file:/lab/mmlab.bundles/jar/org.apache.felix.framework-7.0.5.jar",
                "",
                "no source here"));

        assertThat(byJar).containsOnlyKeys("file:/lab/mmlab.bundles/jar/org.apache.felix.framework-7.0.5.jar");
    }

    @Test
    void decorationsAreSkipped() {
        Map<String, List<String>> byJar = ArchiveLinks.classesByJar(List.of(
                "[0.524s][info][class,load] org.mmlab.mm.internal.MemMap source: " + CORE));

        assertThat(byJar).containsExactly(Map.entry(CORE, List.of("org.mmlab.mm.internal.MemMap")));
    }
}
