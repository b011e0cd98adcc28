package org.mmlab.web.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.apache.felix.webconsole.spi.ValidationException;
import org.mmlab.mm.admin.ConfigurationCheck;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The Web Console's configuration manager refuses a value of the lab's configurations (PIDs
 * org.mmlab.*) that their metatype does not allow (a value not among the options, a number that is
 * not one or out of range), in one line that says what is allowed, before anything is written. What
 * the metatype cannot judge (a size: memorySize, a device's hostTarget) is then checked by the
 * {@link ConfigurationCheck} the bundle that reads the configuration registers for it (mm-core's
 * {@code GuestConfig.check()} for org.mmlab.mm): the console refuses what the lab refuses, in the same
 * words.
 */
@Component
public class ConfigurationChecks implements ConfigurationHandler {

    static final String LAB_PIDS = "org.mmlab.";

    private final BundleContext context;
    private final MetaTypeService metatype;

    /** The lab's own checks, by the PID or factory PID each is for (whiteboard). */
    private final Map<ConfigurationCheck, String> checks = new ConcurrentHashMap<>();

    @Activate
    public ConfigurationChecks(BundleContext context, @Reference MetaTypeService metatype) {
        this.context = context;
        this.metatype = metatype;
    }

    @Override
    public void createConfiguration(String pid) {
        // a new configuration has no values yet
    }

    @Override
    public void createFactoryConfiguration(String factoryPid, String name) {
        // a new configuration has no values yet
    }

    @Override
    public void deleteConfiguration(String factoryPid, String pid) {
        // the lab goes back to its defaults, which are valid
    }

    @Override
    public void updateConfiguration(String factoryPid, String pid, Dictionary<String, Object> properties)
            throws ValidationException {
        String factory = factoryPid != null ? factoryPid : factoryOf(pid);
        String designated = factory != null ? factory : pid;
        if (designated == null || !designated.startsWith(LAB_PIDS) || properties == null) {
            return;
        }
        ObjectClassDefinition ocd = definition(designated, factory != null);
        AttributeDefinition[] ads = ocd == null ? new AttributeDefinition[0]
                : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        for (AttributeDefinition ad : ads) {
            Object value = properties.get(ad.getID());
            if (value != null) {
                for (String v : values(value)) {
                    check(ad, v);
                }
            }
        }
        for (Map.Entry<ConfigurationCheck, String> check : checks.entrySet()) {
            if (check.getValue().equals(designated)) {
                check(check.getKey(), properties);
            }
        }
    }

    /**
     * The factory PID of a factory configuration's PID, "FACTORY~NAME" (Configuration Admin 1.6), which is
     * what the console passes when it saves an existing one; null for a PID of no factory.
     */
    static String factoryOf(String pid) {
        int tilde = pid == null ? -1 : pid.indexOf('~');
        return tilde > 0 ? pid.substring(0, tilde) : null;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCheck(ConfigurationCheck check, Map<String, Object> props) {
        checks.put(check, String.valueOf(props.get(ConfigurationCheck.FOR_PID)));
    }

    void removeCheck(ConfigurationCheck check) {
        checks.remove(check);
    }

    /** The configuration's own properties (not the framework's service.*) as the lab checks them, in its words. */
    static void check(ConfigurationCheck check, Dictionary<String, Object> properties) throws ValidationException {
        Map<String, Object> own = new LinkedHashMap<>();
        for (String key : Collections.list(properties.keys())) {
            if (!key.startsWith("service.")) {
                own.put(key, properties.get(key));
            }
        }
        try {
            check.check(own);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(e.getMessage());
        }
    }

    /** Refuses one value the attribute does not allow, saying what it allows. */
    static void check(AttributeDefinition ad, String value) throws ValidationException {
        String problem = ad.validate(value);
        if (problem == null || problem.isEmpty()) {
            return;
        }
        String[] options = ad.getOptionValues();
        String allowed = options != null && options.length > 0 ? ": give one of " + String.join(", ", options) : "";
        throw new ValidationException(ad.getID() + " '" + value + "': " + problem.replaceFirst("^%", "") + allowed);
    }

    private ObjectClassDefinition definition(String pid, boolean factory) {
        for (Bundle b : context.getBundles()) {
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            if (info != null && List.of(factory ? info.getFactoryPids() : info.getPids()).contains(pid)) {
                return info.getObjectClassDefinition(pid, null);
            }
        }
        return null;
    }

    private static List<String> values(Object value) {
        List<String> values = new ArrayList<>();
        if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                values.add(String.valueOf(Array.get(value, i)));
            }
        } else if (value instanceof Iterable<?> items) {
            items.forEach(v -> values.add(String.valueOf(v)));
        } else {
            values.add(String.valueOf(value));
        }
        return values;
    }
}
