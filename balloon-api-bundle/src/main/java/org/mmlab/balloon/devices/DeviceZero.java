package org.mmlab.balloon.devices;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The lab's default device "0" of a driver bundle (a guest on that hypervisor has one): factory
 * configuration "0" of the bundle's factory PID, made only when the factory has no configuration, so a
 * user's configurations are never touched. A framework property set to false turns it off (the
 * in-framework tests make their own devices).
 */
public final class DeviceZero {
    private DeviceZero() {
    }

    /**
     * Makes factory configuration "0" of factoryPid with these properties (the others at their defaults),
     * unless the framework property offProperty is "false" or the factory has a configuration already.
     *
     * @return true if it made one
     */
    public static boolean create(BundleContext context, String offProperty, ConfigurationAdmin cm, String factoryPid,
            Map<String, Object> properties) throws IOException, InvalidSyntaxException {
        if ("false".equals(context.getProperty(offProperty))) {
            return false;
        }
        return createUnlessConfigured(cm, factoryPid, properties);
    }

    /** Factory configuration "0" of factoryPid, unless the factory has a configuration; true if it made one. */
    public static boolean createUnlessConfigured(ConfigurationAdmin cm, String factoryPid,
            Map<String, Object> properties) throws IOException, InvalidSyntaxException {
        Configuration[] existing = cm.listConfigurations("(service.factoryPid=" + factoryPid + ")");
        if (existing != null && existing.length > 0) {
            return false;
        }
        cm.getFactoryConfiguration(factoryPid, "0", "?").update(new Hashtable<>(properties));
        return true;
    }
}
