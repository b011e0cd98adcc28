package org.mmlab.web.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;

import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.apache.felix.webconsole.spi.ValidationException;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The Web Console's configuration manager refuses a value of the lab's configurations (PIDs
 * org.mmlab.*) that their metatype does not allow (a value not among the options, a number that is
 * not one or out of range), in one line that says what is allowed, before anything is written. A
 * value the metatype cannot judge (a size such as memorySize) is left to the lab, which refuses a
 * bad one from any source and keeps running on the configuration it has (mm:config shows why).
 */
@Component
public class ConfigurationChecks implements ConfigurationHandler {

    static final String LAB_PIDS = "org.mmlab.";

    private final BundleContext context;
    private final MetaTypeService metatype;

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
        String designated = factoryPid != null ? factoryPid : pid;
        if (designated == null || !designated.startsWith(LAB_PIDS) || properties == null) {
            return;
        }
        ObjectClassDefinition ocd = definition(designated, factoryPid != null);
        if (ocd == null) {
            return;
        }
        for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            Object value = properties.get(ad.getID());
            if (value != null) {
                for (String v : values(value)) {
                    check(ad, v);
                }
            }
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
