package org.mmlab.vmware.internal;

import java.io.IOException;
import java.util.Map;

import org.mmlab.balloon.devices.DeviceZero;
import org.mmlab.vmware.VmwBalloons;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The lab's default VMware balloon "0" (a guest on VMware has one): creates factory configuration "0"
 * of org.mmlab.vmware.balloon, every property at its default, when the factory has no configuration. A
 * user's configurations are never touched. The framework property mmlab.vmware.defaultDevice=false
 * turns it off (the in-framework tests make their own devices).
 */
@Component(immediate = true)
public class DefaultDevice {
    public static final String PROPERTY = "mmlab.vmware.defaultDevice";

    @Activate
    public DefaultDevice(BundleContext context, @Reference ConfigurationAdmin cm) throws IOException,
            InvalidSyntaxException {
        DeviceZero.create(context, PROPERTY, cm, VmwBalloons.FACTORY_PID, Map.of());
    }
}
