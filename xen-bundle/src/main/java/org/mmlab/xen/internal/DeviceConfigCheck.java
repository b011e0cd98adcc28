package org.mmlab.xen.internal;

import java.util.Map;

import org.mmlab.mm.admin.ConfigurationCheck;
import org.mmlab.xen.XenBalloons;
import org.osgi.service.component.annotations.Component;

/**
 * A XEN balloon's configuration checked before it is written: its size, balloonTarget, which the metatype
 * cannot judge, as the device's activation parses it. The Web Console's configuration manager asks it, so
 * that a device it would make or change is not one that fails to start.
 */
@Component(property = ConfigurationCheck.FOR_PID + "=" + XenBalloons.FACTORY_PID)
public class DeviceConfigCheck implements ConfigurationCheck {

    @Override
    public void check(Map<String, ?> properties) {
        DeviceConfig.parse(name(properties), null, text(properties, "balloonTarget", "0"));
    }

    /** A blank name is the factory configuration's (not known here): any valid name stands in for it. */
    private static String name(Map<String, ?> properties) {
        Object name = properties.get("name");
        return name == null || String.valueOf(name).isBlank() ? "checked" : String.valueOf(name);
    }

    /** A property as the device's activation reads it: the metatype's default when absent. */
    private static String text(Map<String, ?> properties, String key, String absent) {
        Object value = properties.get(key);
        return value == null ? absent : String.valueOf(value);
    }
}
