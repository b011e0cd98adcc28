package org.mmlab.itest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmlab.itest.careless.CarelessDriver;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.PageType;
import org.mmlab.mm.lab.MmLab;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * A driver that stops without draining (the careless test driver: inflated, no remove path), then
 * migration moves one of the pages it left in its balloon. Under policy none the core calls the gone
 * module's migratepage: KASAN's use-after-unload report. Under module-ref and osgi-drain, which protect
 * a module's pages, the page of a gone driver is not isolated, so nothing calls into it: harmless (its
 * pages stay stranded, which mm:check says as it says of any orphaned device).
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class CarelessDriverTest {
    private static final String CLASS = CarelessDriver.class.getName().replace('.', '/') + ".class";
    private static final String XML = "OSGI-INF/careless.xml";

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    CommandProcessor processor;

    @RegisterExtension
    final FreshGuestSetup guest = new FreshGuestSetup();

    GogoSession gogo;
    Bundle careless;
    /** The fresh guest's (each boot registers its own). */
    MemoryManager mm;
    MmLab lab;

    @BeforeEach
    void installTheCarelessDriver() throws Exception {
        gogo = new GogoSession(processor);
        mm = Services.get(MemoryManager.class);
        lab = Services.get(MmLab.class);
        careless = context.installBundle("careless-driver", new ByteArrayInputStream(carelessJar()));
    }

    @AfterEach
    void uninstallItAndBootAgain() throws Exception {
        try {
            careless.uninstall();
            lab.setModulePolicy(ModulePolicy.NONE);
            FreshGuest.boot(guest.config(), MigrationContract.MOVABLE_OPS_2025); // no orphaned device left
        } finally {
            gogo.close();
        }
    }

    @ParameterizedTest
    @EnumSource(ModulePolicy.class)
    void migratingAPageOfADriverGoneWithoutDrainingIsAReportUnderNoneOnly(ModulePolicy policy) throws Exception {
        lab.setModulePolicy(policy);
        careless.start();
        Await.until(CarelessDriver.DEVICE + " inflated", () -> gogo.run("balloon:list").lines()
                .anyMatch(l -> l.matches("\\d+\\s+" + CarelessDriver.DEVICE + "\\s+" + CarelessDriver.PAGES + "\\s.*")));
        int pfn = firstOfflinePage();
        careless.stop(); // rmmod of a driver without a remove path: its pages stay inflated
        long mark = lab.dmesgSeq();

        int migrated = mm.migrateRange(pfn, pfn + 1, MigrateMode.SYNC);

        String dmesg = String.join("\n", lab.dmesgSince(mark));
        if (policy == ModulePolicy.NONE) {
            assertThat(migrated).as("the page migrated, by a call into the gone driver").isOne();
            assertThat(dmesg).contains("BUG: KASAN: use-after-unload in b_dev_info->migratepage at entry",
                    "Call from the kernel into module careless-driver [" + careless.getBundleId() + "]");
        } else {
            assertThat(migrated).as("the gone driver's page is not isolated").isZero();
            assertThat(dmesg).doesNotContain("use-after-unload");
        }
        assertThat(gogo.run("balloon:list")).contains("(orphaned: its driver stopped without removing it)");
    }

    /** The first page in a balloon: the careless driver's, the only balloon of these tests. */
    private int firstOfflinePage() {
        for (int pfn = 0; pfn < mm.nrPages(); pfn++) {
            if (mm.pageType(pfn) == PageType.OFFLINE) {
                return pfn;
            }
        }
        throw new AssertionError("no balloon page after " + CarelessDriver.DEVICE + " inflated");
    }

    /** The careless driver as a bundle of its own: the class from this bundle and a DS descriptor. */
    private static byte[] carelessJar() throws IOException {
        Manifest mf = new Manifest();
        Attributes main = mf.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "careless-driver");
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Import-Package", "org.mmlab.balloon,org.mmlab.mm");
        main.putValue("Service-Component", XML);
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="careless-driver" immediate="true"
                        activate="activate">
                  <implementation class="%s"/>
                  <reference name="balloons" interface="org.mmlab.balloon.Balloons" bind="bind"/>
                </scr:component>
                """.formatted(CarelessDriver.class.getName());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, mf);
                InputStream c = CarelessDriverTest.class.getClassLoader().getResourceAsStream(CLASS)) {
            jar.putNextEntry(new JarEntry(CLASS));
            c.transferTo(jar);
            jar.putNextEntry(new JarEntry(XML));
            jar.write(xml.getBytes(UTF_8));
        }
        return bytes.toByteArray();
    }
}
