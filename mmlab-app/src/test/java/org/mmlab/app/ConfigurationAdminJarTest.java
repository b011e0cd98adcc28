package org.mmlab.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration Admin in the lab as it ships, FileInstall in it: a configuration deleted before the event of
 * its last update was delivered stays deleted, so that the next one of its name is the factory configuration
 * asked for. FileInstall's write-back asked for every updated PID (getConfiguration), which made an empty plain
 * configuration of a deleted one: a device configuration "1" made again was that one, and no device 1 came
 * (race 5's reset deletes device 1 while its probe's event is still being delivered: a run in about 30 never
 * started its probe). The test's bundle {@link CmEventGate} holds the event thread meanwhile, as a busy one.
 */
class ConfigurationAdminJarTest {
    private static final String GATE_BSN = "mmlab-test-cm-gate";
    private static final String VIRTIO = "org.mmlab.virtio.balloon";

    @TempDir
    Path dir;

    @Test
    void aDeviceDeletedBeforeConfigurationAdminDeliveredItsUpdateCanBeMadeAgain() throws Exception {
        try (LiveLab lab = LiveLab.start(dir)) {
            lab.awaitLine(l -> l.contains("the drivers folder: "));
            DriversFolderJarTest.drop(gateBundle(), dir.resolve("drivers").resolve(GATE_BSN + ".jar"));
            lab.awaitOutput("lb -s " + GATE_BSN, out -> out.contains("|Active"));

            lab.run("(cm:getConfiguration " + CmEventGate.PID + " '?') update (new java.util.Hashtable)");
            lab.run("c = cm:getFactoryConfiguration " + VIRTIO + " 1 '?'");
            lab.run("$c update (new java.util.Hashtable)");
            lab.run("$c delete"); // the events of device 1's update and delete wait behind the gate's
            lab.run("gate:release");
            lab.run("(cm:getFactoryConfiguration " + VIRTIO + " 3 '?') update (new java.util.Hashtable)");
            lab.awaitOutput("virtio:devices", out -> out.contains(" virtio3 ")); // so device 1's events were delivered

            lab.run("c = cm:getFactoryConfiguration " + VIRTIO + " 1 '?'");
            assertThat(String.join("\n", lab.run("$c factoryPid"))).contains(VIRTIO);
            lab.run("$c update (new java.util.Hashtable)");
            lab.awaitOutput("virtio:devices", out -> out.contains(" virtio1 "));
        }
    }

    /** CmEventGate's jar: its class and a manifest that makes it a bundle. */
    private static byte[] gateBundle() throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", GATE_BSN);
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Activator", CmEventGate.class.getName());
        a.putValue("Import-Package", "org.osgi.framework, org.osgi.service.cm");
        String entry = CmEventGate.class.getName().replace('.', '/') + ".class";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, mf);
                InputStream in = CmEventGate.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
        }
        return bytes.toByteArray();
    }
}
