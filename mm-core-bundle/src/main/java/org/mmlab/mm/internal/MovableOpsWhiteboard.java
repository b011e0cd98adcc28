package org.mmlab.mm.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.mmlab.mm.MovableOperations;
import org.mmlab.mm.PageType;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The driver's side of the 2025 contract as OSGi services: a bundle registers its struct
 * movable_operations with service property {@value MovableOperations#PAGE_TYPE}, and the core
 * finds it. Registration is set_movable_ops(ops, type) on the registering bundle's behalf (so the
 * owner registry names it); unregistration is set_movable_ops(NULL, type), which, as in the kernel,
 * does nothing about pages of that type still isolated (the race lab's business).
 */
@Component(immediate = true)
public class MovableOpsWhiteboard {
    private final GuestMemory guest;
    /** The registration made for each service, to undo it with the same owner. */
    private final Map<ServiceReference<?>, MovablePages2025Impl> registered = new ConcurrentHashMap<>();

    @Activate
    public MovableOpsWhiteboard(@Reference MmCore core) {
        this.guest = core.guest();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindMovableOperations(MovableOperations ops, ServiceReference<MovableOperations> ref) {
        PageType type = pageType(ref);
        String owner = ref.getBundle().getSymbolicName() + " [" + ref.getBundle().getBundleId() + "]";
        if (type == null) {
            guest.dmesg.warn("mmlab: " + owner + " registered movable_operations without a valid "
                    + MovableOperations.PAGE_TYPE + " (offline or zsmalloc): ignored", null);
            return;
        }
        if (!(MovablePagesImpl.forBundle(guest, ref.getBundle().getSymbolicName(), ref.getBundle().getBundleId())
                instanceof MovablePages2025Impl service)) {
            guest.dmesg.warn("mmlab: " + owner + " registered movable_operations for " + type.kernelName()
                    + ", but the guest runs the " + guest.migrate.contract().value() + " contract: ignored", null);
            return;
        }
        int rc = service.setMovableOps(ops, type);
        if (rc != 0) {
            guest.dmesg.warn("mmlab: set_movable_ops(" + type.kernelName() + ") for " + owner + " failed: " + rc, null);
            return;
        }
        registered.put(ref, service);
    }

    void unbindMovableOperations(MovableOperations ops, ServiceReference<MovableOperations> ref) {
        MovablePages2025Impl service = registered.remove(ref);
        if (service != null) {
            service.setMovableOps(null, pageType(ref));
        }
    }

    private static PageType pageType(ServiceReference<?> ref) {
        Object v = ref.getProperty(MovableOperations.PAGE_TYPE);
        if ("offline".equals(v)) {
            return PageType.OFFLINE;
        }
        return "zsmalloc".equals(v) ? PageType.ZSMALLOC : null;
    }
}
