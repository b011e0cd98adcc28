package org.mmlab.hyperv.internal;

import java.util.Map;

import org.mmlab.hyperv.HvBalloons;
import org.mmlab.mm.admin.ConfigurationCheck;
import org.osgi.service.component.annotations.Component;

/**
 * A Hyper-V balloon's configuration checked before it is written: its sizes, hostTarget and hotAddSpace, which
 * the metatype cannot judge, as the device's activation parses them. The Web Console's configuration manager
 * asks it, so that a device it would make or change is not one that fails to start.
 */
@Component(property = ConfigurationCheck.FOR_PID + "=" + HvBalloons.FACTORY_PID)
public class DeviceConfigCheck implements ConfigurationCheck {

    @Override
    public void check(Map<String, ?> properties) {
        DeviceConfig.parse(name(properties), null, text(properties, "hostTarget", "0"),
                text(properties, "hotAddSpace", "0"));
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
