package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Hashtable;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.MovableOwner;
import org.mmlab.mm.MovablePages;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * A driver bundle hands the core its movable_operations by registering them as a service with the
 * page type it serves (the default guest runs the 2025 contract): the core calls set_movable_ops()
 * for it, names the bundle as the owner, and undoes it when the service goes.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class MovableOpsWhiteboardTest {

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    MovablePages movablePages;

    @BeforeEach
    void unloadTheBalloonInfrastructureWhoseOpsTakePgtyOffline() throws Exception {
        BalloonInfrastructure.stop(context);
    }

    @AfterEach
    void loadItAgain() throws Exception {
        BalloonInfrastructure.start(context);
    }

    /** Callbacks that are never called here: no page of this driver exists. */
    static final class IdleOps implements MovableOperations {
        @Override
        public boolean isolatePage(int pfn, int isolateMode) {
            return false;
        }

        @Override
        public int migratePage(int dstPfn, int srcPfn, MigrateMode mode) {
            return 0;
        }

        @Override
        public void putbackPage(int pfn) {
        }
    }

    private MovableOwner offlineOpsOwner() {
        return movablePages.owners().stream()
                .filter(o -> !o.released() && o.what().startsWith("movable_ops offline"))
                .findFirst().orElse(null);
    }

    @Test
    void registeringMovableOperationsAsAServiceSetsThemForTheirPageTypeAndUnregisteringClearsThem() {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(MovableOperations.PAGE_TYPE, "offline");

        ServiceRegistration<MovableOperations> reg = context.registerService(MovableOperations.class, new IdleOps(), props);

        MovableOwner owner = offlineOpsOwner();
        assertThat(owner).as("movable_ops offline owner").isNotNull();
        assertThat(owner.bundle()).isEqualTo(context.getBundle().getSymbolicName());

        reg.unregister();

        assertThat(offlineOpsOwner()).as("movable_ops offline after unregistration").isNull();
    }

    @Test
    void movableOperationsForAnUnknownPageTypeAreIgnored() {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(MovableOperations.PAGE_TYPE, "table");

        ServiceRegistration<MovableOperations> reg = context.registerService(MovableOperations.class, new IdleOps(), props);
        try {
            assertThat(offlineOpsOwner()).isNull();
            assertThat(movablePages.owners()).noneMatch(o -> !o.released() && o.what().contains("table"));
        } finally {
            reg.unregister();
        }
    }
}
