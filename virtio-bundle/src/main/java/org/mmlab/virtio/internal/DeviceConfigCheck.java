package org.mmlab.virtio.internal;

import java.util.Map;

import org.mmlab.virtio.VirtioBalloons;
import org.mmlab.mm.admin.ConfigurationCheck;
import org.osgi.service.component.annotations.Component;

/**
 * A virtio-balloon device's configuration checked before it is written: its size, hostTarget, which the metatype
 * cannot judge, as the device's activation checks it. The Web Console's configuration manager asks
 * it, so that a device it would make or change is not one that fails to start.
 */
@Component(property = ConfigurationCheck.FOR_PID + "=" + VirtioBalloons.FACTORY_PID)
public class DeviceConfigCheck implements ConfigurationCheck {

    @Override
    public void check(Map<String, ?> properties) {
        Object hostTarget = properties.get("hostTarget");
        if (hostTarget != null) {
            DeviceConfig.hostTarget(String.valueOf(hostTarget));
        }
    }
}
