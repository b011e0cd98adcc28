package org.mmlab.mm.internal;

import java.util.Dictionary;
import java.util.Hashtable;

import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.MovablePages2012;
import org.mmlab.mm.MovablePages2016;
import org.mmlab.mm.MovablePages2025;
import org.mmlab.mm.lab.V7BalloonMapping;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Registers the movable-page service of the running guest with service scope BUNDLE: a
 * ServiceFactory gives every bundle its own {@link MovablePagesImpl} of the guest's contract, so the
 * registry knows which bundle owns which mapping or movable_ops, and what a bundle left registered
 * when it let go. It is registered as {@link MovablePages} and as the contract's own type (e.g.
 * {@link MovablePages2016}), and under 2012 also as the race lab's {@link V7BalloonMapping}: the same
 * object per bundle under every name. A reboot (mm:config) deactivates this with the old guest;
 * drivers then lose the service and bind the new guest's, as their pages went with the old one.
 */
@Component(immediate = true)
// registered by hand, so the resolver is told what DS would have said
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.mmlab.mm.MovablePages",
        uses = MovablePages.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.mmlab.mm.MovablePages2012",
        uses = MovablePages2012.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.mmlab.mm.MovablePages2016",
        uses = MovablePages2016.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.mmlab.mm.MovablePages2025",
        uses = MovablePages2025.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.mmlab.mm.lab.V7BalloonMapping",
        uses = V7BalloonMapping.class)
public class MovablePagesComponent {
    private final ServiceRegistration<?> registration;

    @Activate
    public MovablePagesComponent(@Reference MmCore core, BundleContext context) {
        GuestMemory guest = core.guest();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("migrationContract", guest.migrate.contract().value());
        registration = context.registerService(names(guest.migrate.contract()), new ServiceFactory<MovablePagesImpl>() {
            @Override
            public MovablePagesImpl getService(Bundle bundle, ServiceRegistration<MovablePagesImpl> reg) {
                return MovablePagesImpl.forBundle(guest, bundle.getSymbolicName(), bundle.getBundleId());
            }

            @Override
            public void ungetService(Bundle bundle, ServiceRegistration<MovablePagesImpl> reg, MovablePagesImpl service) {
                service.release();
            }
        }, props);
    }

    /** The interfaces the contract's service offers. */
    private static String[] names(MigrationContract contract) {
        return switch (contract) {
            case BALLOON_2012 -> new String[] {MovablePages.class.getName(), MovablePages2012.class.getName(),
                V7BalloonMapping.class.getName()};
            case NON_LRU_2016 -> new String[] {MovablePages.class.getName(), MovablePages2016.class.getName()};
            case MOVABLE_OPS_2025 -> new String[] {MovablePages.class.getName(), MovablePages2025.class.getName()};
        };
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
    }
}
