package org.mmlab.xen.internal;

import java.io.IOException;
import java.util.Map;

import org.mmlab.balloon.devices.DeviceZero;
import org.mmlab.xen.XenBalloons;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The lab's default XEN balloon "0" (a guest on XEN has one): creates factory configuration "0" of
 * org.mmlab.xen.balloon, every property at its default (balloon target 0), when the factory has no
 * configuration. A user's configurations are never touched. The framework property
 * mmlab.xen.defaultDevice=false turns it off.
 */
@Component(immediate = true)
public class DefaultDevice {
    public static final String PROPERTY = "mmlab.xen.defaultDevice";

    @Activate
    public DefaultDevice(BundleContext context, @Reference ConfigurationAdmin cm) throws IOException,
            InvalidSyntaxException {
        DeviceZero.create(context, PROPERTY, cm, XenBalloons.FACTORY_PID, Map.of());
    }
}
