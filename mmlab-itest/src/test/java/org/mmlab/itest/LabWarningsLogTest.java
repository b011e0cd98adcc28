package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.Hashtable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.MovablePages;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The lab's own warnings go to the OSGi log as well as to dmesg, so that "see the log" points
 * somewhere: `log warn` in the shell shows them, with the bundle that warned, also after the hundreds of
 * service events a race batch or a few driver loads log (felix.log keeps only its last 100 entries).
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
            assertTheWarningIsInTheLogAndLogWarn();
        } finally {
            reg.unregister();
        }
    }

    @Test
    void aWarningIsStillInLogWarnAfterHundredsOfServiceEvents() throws Exception {
        // felix.log hands its listeners every entry in order, on a thread of its own: once the flood's last
        // entry is handed to this listener, the warning was handed to every listener before it
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(MovableOperations.PAGE_TYPE, "table");
        CountDownLatch handed = new CountDownLatch(1);
        AtomicReference<ServiceReference<?>> last = new AtomicReference<>();
        LogListener listener = entry -> {
            if (entry.getServiceReference() != null && entry.getServiceReference().equals(last.get())
                    && entry.getMessage().contains("UNREGISTERING")) {
                handed.countDown();
            }
        };
        logReader.addLogListener(listener);
        try {
            context.registerService(MovableOperations.class, new MovableOpsWhiteboardTest.IdleOps(), props).unregister();
            // 300 services come and go: 600 INFO entries, six times what felix.log keeps
            for (int i = 0; i < 300; i++) {
                ServiceRegistration<Object> reg = context.registerService(Object.class, new Object(), null);
                last.set(reg.getReference());
                reg.unregister();
            }
            assertThat(handed.await(Await.WAIT_MS, TimeUnit.MILLISECONDS)).as("the flood's last entry handed out").isTrue();
        } finally {
            logReader.removeLogListener(listener);
        }

        assertTheWarningIsInTheLogAndLogWarn();
    }

    /** mm-core's warning is in the log as a WARN of its bundle, and `log warn` in the shell shows it. */
    private void assertTheWarningIsInTheLogAndLogWarn() throws Exception {
        assertThat(Collections.list(logReader.getLog())).anySatisfy(entry -> {
            assertThat(entry.getLogLevel()).isEqualTo(LogLevel.WARN);
            assertThat(entry.getBundle().getSymbolicName()).isEqualTo("mm-core-bundle");
            assertThat(entry.getMessage()).contains(WARNING);
        });
        try (GogoSession shell = new GogoSession(processor)) {
            assertThat(shell.run("echo (log warn)")).contains(WARNING);
        }
    }
}
