package org.mmlab.hyperv.internal;

import java.io.IOException;
import java.util.Map;

import org.mmlab.balloon.devices.DeviceZero;
import org.mmlab.hyperv.HvBalloons;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The lab's default Hyper-V balloon "0" (a guest on Hyper-V has one): creates factory configuration "0" of
 * org.mmlab.hyperv.balloon, every property at its default (target 0, no hot-add space), when the factory has
 * no configuration. A user's configurations are never touched. The framework property
 * mmlab.hyperv.defaultDevice=false turns it off.
 */
@Component(immediate = true)
public class DefaultDevice {
    public static final String PROPERTY = "mmlab.hyperv.defaultDevice";

    @Activate
    public DefaultDevice(BundleContext context, @Reference ConfigurationAdmin cm) throws IOException,
            InvalidSyntaxException {
        DeviceZero.create(context, PROPERTY, cm, HvBalloons.FACTORY_PID, Map.of());
    }
}
