package org.mmlab.virtio.internal;

import java.io.IOException;
import java.util.Map;

import org.mmlab.balloon.devices.DeviceZero;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The lab's default device "0" (as QEMU's -device virtio-balloon,free-page-reporting=on gives a guest
 * one): creates factory configuration "0" of org.mmlab.virtio.balloon, with every property at its
 * default but the offer, which adds REPORTING, when no configuration of that factory exists. A user's
 * configurations are never touched. The framework property mmlab.virtio.defaultDevice=false turns it off
 * (the in-framework tests make their devices).
 */
@Component(immediate = true)
public class DefaultDevice {
    public static final String PROPERTY = "mmlab.virtio.defaultDevice";

    @Activate
    public DefaultDevice(BundleContext context, @Reference ConfigurationAdmin cm) throws IOException,
            InvalidSyntaxException {
        if (!"false".equals(context.getProperty(PROPERTY))) {
            createUnlessConfigured(cm);
        }
    }

    /** Factory configuration "0", unless the factory has a configuration already; true if it made one. */
    static boolean createUnlessConfigured(ConfigurationAdmin cm) throws IOException, InvalidSyntaxException {
        return DeviceZero.createUnlessConfigured(cm, VirtioBalloons.FACTORY_PID,
                Map.of("offeredFeatures", Features.DEVICE0_OFFER));
    }
}
