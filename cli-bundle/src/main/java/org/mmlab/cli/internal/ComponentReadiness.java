package org.mmlab.cli.internal;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.mmlab.cli.internal.LabReadiness.Status;
import org.osgi.framework.Constants;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Whether every enabled DS component has come up, judged from what SCR and Configuration Admin
 * report. A component is up when:
 * <ol>
 * <li>each configuration in Configuration Admin that it consumes (its PID, or a factory
 * configuration of its factory PID) has a component configuration of its own: Configuration Admin
 * delivers configurations to SCR asynchronously, so a configuration that exists but has no
 * component yet (e.g. virtio-balloon device "0", made by DefaultDevice) is still on its way;</li>
 * <li>an immediate component is ACTIVE: SATISFIED means its activation has not finished;</li>
 * <li>a delayed component is ACTIVE or SATISFIED, or waits only for a configuration it requires.</li>
 * </ol>
 * A component in FAILED_ACTIVATION is a failure, not a reason to wait.
 */
final class ComponentReadiness {

    /** One component: its description, whether it is enabled, and the configurations SCR made of it. */
    record Component(ComponentDescriptionDTO description, boolean enabled,
            Collection<ComponentConfigurationDTO> configurations) {}

    /** A configuration in Configuration Admin: its PID and, for a factory configuration, its factory PID. */
    record Configured(String pid, String factoryPid) {}

    private ComponentReadiness() {}

    /**
     * The first component that failed on its own, else the first that failed because a service it
     * references failed (a consequence, reported after its cause), else the first still on its way.
     */
    static Status check(List<Component> components, List<Configured> configured) {
        Status consequence = null;
        Status waiting = null;
        for (Component c : components) {
            Status s = check(c, configured);
            if (s.failed()) {
                if (!failedForAService(c)) {
                    return s;
                }
                consequence = consequence == null ? s : consequence;
            } else if (!s.ready() && waiting == null) {
                waiting = s;
            }
        }
        return consequence != null ? consequence : waiting != null ? waiting : Status.READY;
    }

    private static Status check(Component c, List<Configured> configured) {
        ComponentDescriptionDTO d = c.description();
        String name = d.name + " (" + d.bundle.symbolicName + ")";
        if (!c.enabled()) {
            return d.defaultEnabled ? Status.waitFor("component " + name + " to be enabled") : Status.READY;
        }
        for (ComponentConfigurationDTO configuration : c.configurations()) {
            switch (configuration.state) {
                case ComponentConfigurationDTO.FAILED_ACTIVATION:
                    return Status.failure("component " + name + " failed to activate: "
                            + LabReadiness.rootMessage(configuration.failure));
                case ComponentConfigurationDTO.UNSATISFIED_REFERENCE:
                    return Status.waitFor("component " + name + " to get its references "
                            + Stream.of(configuration.unsatisfiedReferences)
                                    .map(r -> r.target == null ? r.name : r.name + " " + r.target)
                                    .collect(Collectors.joining(", ", "[", "]")));
                case ComponentConfigurationDTO.SATISFIED:
                    if (d.immediate) {
                        return Status.waitFor("component " + name + " to activate");
                    }
                    break;
                default:
                    // ACTIVE, or UNSATISFIED_CONFIGURATION: nothing to wait for here
            }
        }
        if (!"ignore".equals(d.configurationPolicy)) {
            for (Configured conf : configured) {
                if (consumes(d, conf) && c.configurations().stream().noneMatch(cc -> madeFrom(cc, conf.pid()))) {
                    return Status.waitFor("component " + name + " to take configuration " + conf.pid());
                }
            }
        }
        if (c.configurations().isEmpty() && !"require".equals(d.configurationPolicy) && d.factory == null) {
            return Status.waitFor("component " + name + " to be created");
        }
        return Status.READY;
    }

    /** SCR's failure text says the component failed because a service it references failed to activate. */
    private static boolean failedForAService(Component c) {
        return c.configurations().stream().anyMatch(cc -> cc.state == ComponentConfigurationDTO.FAILED_ACTIVATION
                && String.valueOf(cc.failure).contains(LabReadiness.FAILED_FOR_A_SERVICE));
    }

    private static boolean consumes(ComponentDescriptionDTO d, Configured conf) {
        List<String> pids = d.configurationPid == null ? List.of() : Arrays.asList(d.configurationPid);
        return pids.contains(conf.factoryPid() != null ? conf.factoryPid() : conf.pid());
    }

    /** SCR puts the PID of the configuration(s) a component configuration was made from in service.pid. */
    private static boolean madeFrom(ComponentConfigurationDTO cc, String pid) {
        Map<String, Object> properties = cc.properties;
        Object servicePid = properties == null ? null : properties.get(Constants.SERVICE_PID);
        if (servicePid instanceof String[] pids) {
            return Arrays.asList(pids).contains(pid);
        }
        if (servicePid instanceof Collection<?> pids) {
            return pids.contains(pid);
        }
        return pid.equals(servicePid);
    }
}
