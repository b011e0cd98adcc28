package org.mmlab.mm.internal;

import java.util.Dictionary;
import java.util.Hashtable;

import org.mmlab.mm.MovablePages;
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
 * ServiceFactory gives every bundle its own {@link MovablePagesImpl}, so the registry knows which
 * bundle owns which mapping or movable_ops, and what a bundle left registered when it let go.
 * A reboot (mm:config) deactivates this with the old guest; drivers then lose the service and bind
 * the new guest's, as their pages went with the old one.
 */
@Component(immediate = true)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.mmlab.mm.MovablePages",
        uses = MovablePages.class) // registered by hand, so the resolver is told what DS would have said
public class MovablePagesComponent {
    private final ServiceRegistration<MovablePages> registration;

    @Activate
    public MovablePagesComponent(@Reference MmCore core, BundleContext context) {
        GuestMemory guest = core.guest();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("migrationContract", guest.migrate.contract().value());
        registration = context.registerService(MovablePages.class, new ServiceFactory<MovablePages>() {
            @Override
            public MovablePages getService(Bundle bundle, ServiceRegistration<MovablePages> reg) {
                return new MovablePagesImpl(guest, bundle.getSymbolicName(), bundle.getBundleId());
            }

            @Override
            public void ungetService(Bundle bundle, ServiceRegistration<MovablePages> reg, MovablePages service) {
                ((MovablePagesImpl) service).release();
            }
        }, props);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
    }
}
