package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.Hashtable;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.MovablePages;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogReaderService;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The lab's own warnings go to the OSGi log as well as to dmesg, so that "see the log" points
 * somewhere: `log warn` in the shell shows them, with the bundle that warned.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class LabWarningsLogTest {
    private static final String WARNING = "registered movable_operations without a valid " + MovableOperations.PAGE_TYPE;

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    MovablePages guestIsUp;

    @InjectService(timeout = 10_000)
    LogReaderService logReader;

    @InjectService(timeout = 10_000)
    CommandProcessor processor;

    @Test
    void movableOperationsWithoutAPageTypeAreAWarningInTheOsgiLogThatLogWarnShows() throws Exception {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(MovableOperations.PAGE_TYPE, "table");
        ServiceRegistration<MovableOperations> reg = context.registerService(MovableOperations.class,
                new MovableOpsWhiteboardTest.IdleOps(), props);
        try {
            // the whiteboard binds on this thread: the warning is logged when registerService returns
            assertThat(Collections.list(logReader.getLog())).anySatisfy(entry -> {
                assertThat(entry.getLogLevel()).isEqualTo(LogLevel.WARN);
                assertThat(entry.getBundle().getSymbolicName()).isEqualTo("mm-core-bundle");
                assertThat(entry.getMessage()).contains(WARNING);
            });
            try (GogoSession shell = new GogoSession(processor)) {
                assertThat(shell.run("echo (log warn)")).contains(WARNING);
            }
        } finally {
            reg.unregister();
        }
    }
}
