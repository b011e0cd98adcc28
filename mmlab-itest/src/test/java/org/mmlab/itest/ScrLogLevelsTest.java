package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * SCR logs through the lab's LoggerFactory (cli-bundle's, in front of felix.log's), whose loggers keep their
 * level instead of asking felix.log at each check: a level configured through Configuration Admin still takes
 * effect as soon as felix.log has applied it, and SCR's lines still carry the component's bundle. test.bndrun
 * keeps a level for ten minutes (mmlab.log.levelCacheMillis), so only the configuration's event can make it
 * stale here. For 100 ms after such an event no level is kept at all (felix.log's own listener may come after
 * the lab's), so the test of a configured level runs first, before this class's other configurations.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class ScrLogLevelsTest {
    private static final String LAB_FACTORY = "(mmlab.log=levels)";
    private static final String LOG_ADMIN = "org.osgi.service.log.admin|";
    private static final String EXIT = "org.mmlab.cli.internal.ExitCommand";

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000, filter = LAB_FACTORY)
    LoggerFactory labFactory;

    @InjectService(timeout = 10_000)
    ConfigurationAdmin configAdmin;

    @InjectService(timeout = 10_000)
    LogReaderService logReader;

    @InjectService(timeout = 10_000)
    ServiceComponentRuntime scr;

    @Test
    void scrLogsThroughTheLabsLoggerFactory() throws Exception {
        Collection<ServiceReference<LoggerFactory>> refs = context.getServiceReferences(LoggerFactory.class, LAB_FACTORY);
        assertThat(refs).hasSize(1);
        assertThat(refs.iterator().next().getUsingBundles()).extracting(Bundle::getSymbolicName)
                .contains("org.apache.felix.scr");
    }

    @Test
    @Order(1)
    void aLevelConfiguredThroughConfigurationAdminTakesEffectAtOnce() throws Exception {
        Bundle self = FrameworkUtil.getBundle(getClass());
        String name = getClass().getName();
        Logger logger = labFactory.getLogger(self, name, Logger.class);
        assertThat(logger.isDebugEnabled()).isFalse(); // kept for ten minutes, but for an event

        Configuration levels = configAdmin.getConfiguration(LOG_ADMIN + self.getSymbolicName(), "?");
        try {
            levels.update(new Hashtable<>(Map.of(name, "DEBUG")));
            ConfigurationEvents.drain();
            assertThat(logger.isDebugEnabled()).isTrue();
            assertThat(logger.isTraceEnabled()).isFalse();
        } finally {
            levels.delete();
        }
        ConfigurationEvents.drain();
        assertThat(logger.isDebugEnabled()).isFalse();
        assertThat(logger.isWarnEnabled()).isTrue();
    }

    @Test
    void scrsDebugLinesOfAComponentCarryItsBundleOnceItsLevelIsConfigured() throws Exception {
        Bundle cli = bundle("cli-bundle");
        ComponentDescriptionDTO exit = scr.getComponentDescriptionDTO(cli, EXIT);
        List<LogEntry> entries = new CopyOnWriteArrayList<>();
        LogListener listener = entries::add;
        Configuration levels = configAdmin.getConfiguration(LOG_ADMIN + "cli-bundle", "?");
        logReader.addLogListener(listener);
        try {
            levels.update(new Hashtable<>(Map.of(EXIT, "DEBUG")));
            ConfigurationEvents.drain();
            Await.value(scr.disableComponent(exit), "ExitCommand disabled");
            Await.value(scr.enableComponent(exit), "ExitCommand enabled");
            Await.until("SCR's DEBUG lines of ExitCommand", () -> entries.stream().anyMatch(e -> e.getLogLevel() == LogLevel.DEBUG
                    && e.getBundle() == cli && EXIT.equals(e.getLoggerName())));
        } finally {
            logReader.removeLogListener(listener);
            levels.delete();
            ConfigurationEvents.drain();
            if (!scr.isComponentEnabled(exit)) {
                Await.value(scr.enableComponent(exit), "ExitCommand enabled");
            }
        }
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(bsn + " is not installed");
    }
}
