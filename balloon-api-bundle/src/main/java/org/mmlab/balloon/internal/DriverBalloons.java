package org.mmlab.balloon.internal;

import java.util.List;
import java.util.function.Supplier;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.BalloonMigrate;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.lab.ModulePolicy;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

/**
 * The Balloons service, one instance per driver bundle (service scope BUNDLE), backed by the driver's
 * own MovablePages: mm-core's registry then names the driver as the owner of its devices' mappings
 * (2012, 2016), and the race lab can tell whose code migration calls into.
 */
@Component(scope = ServiceScope.BUNDLE)
public class DriverBalloons implements Balloons {
    private final BalloonCore core;
    private final String bundle;
    private final long bundleId;
    private final MovablePages driverPages;
    /** How long osgi-drain waits for a stopping driver's isolated pages. */
    static final long DRAIN_TIMEOUT_MS = 10_000;
    private final BundleContext driverContext;
    private final ServiceReference<MovablePages> driverPagesRef;

    @Activate
    public DriverBalloons(@Reference BalloonComponent balloon, ComponentContext context) {
        this.core = balloon.core;
        Bundle driver = context.getUsingBundle();
        this.bundle = driver.getSymbolicName();
        this.bundleId = driver.getBundleId();
        this.driverContext = driver.getBundleContext();
        this.driverPagesRef = driverContext.getServiceReference(MovablePages.class);
        this.driverPages = driverPagesRef == null ? null : driverContext.getService(driverPagesRef);
        if (driverPages == null) {
            throw new IllegalStateException("no MovablePages service for " + bundle);
        }
    }

    /** For unit tests: a driver with the given MovablePages. */
    DriverBalloons(BalloonCore core, String bundle, long bundleId, MovablePages driverPages) {
        this.core = core;
        this.bundle = bundle;
        this.bundleId = bundleId;
        this.driverPages = driverPages;
        this.driverContext = null;
        this.driverPagesRef = null;
    }

    @Deactivate
    void deactivate() {
        if (core.lab.modulePolicy() == ModulePolicy.OSGI_DRAIN) {
            core.drainDriver(bundleId, DRAIN_TIMEOUT_MS);
        }
        core.orphanDevices(bundleId);
        try {
            driverContext.ungetService(driverPagesRef);
        } catch (IllegalStateException e) {
            // the driver's context is gone with it: so is its MovablePages instance
        }
    }

    @Override
    public MigrationContract contract() {
        return core.contract();
    }

    @Override
    public BalloonDevInfo balloonDevinfoInit(String name, BalloonMigrate migratepage, boolean adjustManagedPageCount) {
        return core.balloonDevinfoInit(name, migratepage, adjustManagedPageCount, bundle, bundleId, driverPages);
    }

    @Override
    public BalloonDevInfo balloonDevinfoInit(String name, BalloonMigrate migratepage, boolean adjustManagedPageCount,
            Supplier<AddressSpace> balloonMapping) {
        return core.v2012("balloon_devinfo_init() with the driver's own balloon_mapping").devinfoInitDriverMapping(
                name, migratepage, adjustManagedPageCount, bundle, bundleId, driverPages, balloonMapping);
    }

    @Override
    public AddressSpace balloonMappingKmalloc() {
        return core.v2012("kmalloc() of the driver's balloon_mapping").balloonMappingKmalloc(driverPages);
    }

    @Override
    public void balloonMappingInit(BalloonDevInfo b, AddressSpace mapping) {
        core.v2012("the driver's balloon_mapping initialisation").balloonMappingInit(core.device(b), mapping);
    }

    @Override
    public void balloonMappingKfree(AddressSpace mapping) {
        core.v2012("kfree() of the driver's balloon_mapping").balloonMappingKfree(driverPages, mapping);
    }

    @Override
    public void balloonDevinfoRemove(BalloonDevInfo b) {
        core.balloonDevinfoRemove(b);
    }

    @Override
    public int balloonPageAlloc() {
        return core.balloonPageAlloc();
    }

    @Override
    public void balloonPageEnqueue(BalloonDevInfo b, int pfn) {
        core.balloonPageEnqueue(b, pfn);
    }

    @Override
    public int balloonPageListEnqueue(BalloonDevInfo b, int[] pfns, int n) {
        return core.balloonPageListEnqueue(b, pfns, n);
    }

    @Override
    public int balloonPageDequeue(BalloonDevInfo b) {
        return core.balloonPageDequeue(b);
    }

    @Override
    public int balloonPageListDequeue(BalloonDevInfo b, int[] out, int nReq) {
        return core.balloonPageListDequeue(b, out, nReq);
    }

    @Override
    public void balloonPageMigrated(BalloonDevInfo b, int newPfn, int pfn) {
        core.balloonPageMigrated(b, newPfn, pfn);
    }

    @Override
    public void balloonPageDeflatedInMigration(BalloonDevInfo b, int pfn) {
        core.balloonPageDeflatedInMigration(b, pfn);
    }

    @Override
    public List<BalloonDevInfo> devices() {
        return core.devices();
    }
}
