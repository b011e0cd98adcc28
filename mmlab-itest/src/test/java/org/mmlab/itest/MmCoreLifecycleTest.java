package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Arrays;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mmlab.mm.MemoryManager;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.osgi.util.tracker.ServiceTracker;

/**
 * mm-core is the built-in kernel, but it is still a bundle: stopping it must take everything it
 * offered with it, and starting it again must give a fresh, consistent memory manager.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class MmCoreLifecycleTest {

    private static final long WAIT_MS = 10_000;

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = WAIT_MS)
    CommandProcessor processor;

    @InjectService(cardinality = 0)
    ServiceAware<MemoryManager> memoryManagers;

    /** The mm command services, whatever their class (osgi-test's ServiceAware needs one). */
    ServiceTracker<Object, Object> mmCommands;

    Bundle mmCore;

    @BeforeEach
    void findMmCore() throws Exception {
        mmCommands = GogoSession.commandServices(context, "mm");
        mmCore = Arrays.stream(context.getBundles()).filter(b -> "mm-core-bundle".equals(b.getSymbolicName()))
                .findFirst().orElseThrow();
        assertThat(memoryManagers.waitForService(WAIT_MS)).as("MemoryManager before the test").isNotNull();
        assertThat(mmCommands.waitForService(WAIT_MS)).as("mm commands before the test").isNotNull();
    }

    @AfterEach
    void leaveMmCoreRunning() throws Exception {
        if (mmCore.getState() != Bundle.ACTIVE) {
            mmCore.start();
        }
        assertThat(memoryManagers.waitForService(WAIT_MS)).as("MemoryManager after the test").isNotNull();
        assertThat(mmCommands.waitForService(WAIT_MS)).as("mm commands after the test").isNotNull();
        mmCommands.close();
    }

    @Test
    void stoppingMmCoreWithdrawsTheMemoryManagerAndTheMmCommands() throws Exception {
        mmCore.stop();

        assertThat(memoryManagers.isEmpty()).as("MemoryManager services").isTrue();
        assertThat(mmCommands.isEmpty()).as("mm command services").isTrue();
        assertThat(mmCore.getRegisteredServices()).isNull();
    }

    @Test
    void stoppingMmCoreLeavesNoStaleServiceOrCommandBehind() throws Exception {
        mmCore.stop();

        assertThat(context.getServiceReferences(MemoryManager.class, null)).isEmpty();
        ServiceReference<?>[] all = context.getAllServiceReferences(null, null);
        List<ServiceReference<?>> fromMmCore = Arrays.stream(all == null ? new ServiceReference<?>[0] : all)
                .filter(ref -> mmCore.equals(ref.getBundle())).toList();
        assertThat(fromMmCore).isEmpty();
        try (GogoSession gogo = new GogoSession(processor)) {
            Throwable thrown = catchThrowable(() -> gogo.run("mm:meminfo"));
            assertThat(thrown).as("mm:meminfo with mm-core stopped").isNotNull();
            assertThat(GogoSession.rootCause(thrown).getClass().getSimpleName()).isEqualTo("CommandNotFoundException");
        }
    }

    @Test
    void startingMmCoreAgainBringsBackAFreshMemoryManagerThatChecksOk() throws Exception {
        long oldId = serviceId(memoryManagers.getServiceReference());

        mmCore.stop();
        mmCore.start();

        assertThat(memoryManagers.waitForService(WAIT_MS)).isNotNull();
        assertThat(serviceId(memoryManagers.getServiceReference())).isNotEqualTo(oldId);
        assertThat(mmCommands.waitForService(WAIT_MS)).isNotNull();
        try (GogoSession gogo = new GogoSession(processor)) {
            assertThat(gogo.run("mm:check").strip()).endsWith("mm:check: OK");
        }
    }

    private static long serviceId(ServiceReference<?> ref) {
        return (Long) ref.getProperty(Constants.SERVICE_ID);
    }
}
