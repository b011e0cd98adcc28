package org.mmlab.web.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.apache.felix.webconsole.spi.ValidationException;
import org.mmlab.mm.admin.GuestConfig;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The Web Console's configuration manager refuses a value of the lab's configurations (PIDs
 * org.mmlab.*) that their metatype does not allow (a value not among the options, a number that is
 * not one or out of range), in one line that says what is allowed, before anything is written. The
 * guest's configuration (PID org.mmlab.mm), whose sizes the metatype cannot judge, is then checked by
 * mm-core's {@link GuestConfig#check}: the console refuses what mm:config refuses, in the same words.
 */
@Component
public class ConfigurationChecks implements ConfigurationHandler {

    static final String LAB_PIDS = "org.mmlab.";

    private final BundleContext context;
    private final MetaTypeService metatype;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile GuestConfig guestConfig;

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
        GuestConfig guest = guestConfig;
        if (GuestConfig.PID.equals(pid) && guest != null) {
            checkGuest(guest, properties);
        }
    }

    /** The guest's properties as mm:config would take them: refused in mm-core's words. */
    static void checkGuest(GuestConfig guest, Dictionary<String, Object> properties) throws ValidationException {
        Map<String, Object> changes = new LinkedHashMap<>();
        for (String name : GuestConfig.PROPERTIES) {
            Object value = properties.get(name);
            if (value != null) {
                changes.put(name, value);
            }
        }
        try {
            guest.check(changes);
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
