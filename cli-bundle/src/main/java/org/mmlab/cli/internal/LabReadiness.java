package org.mmlab.cli.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Tells whether the lab has finished starting, so that a script never races bundle start-up.
 * <p>
 * The lab is ready when (i) the framework's start level has reached that of every bundle marked
 * for start, (ii) each of those bundles is ACTIVE (or lazily STARTING), (iii) SCR has taken on every
 * component each active bundle declares ({@link DeclaredComponents}: SCR does so after the bundle
 * is ACTIVE), (iv) every component is up, with every configuration it consumes
 * ({@link ComponentReadiness}), so that the devices the lab makes at start-up, such as
 * virtio-balloon device "0", are there for the first statement, and (v) Gogo's shell has run its
 * start-up ({@link GoshStartup}). A bundle that the framework reported as failing to start, or a
 * component in FAILED_ACTIVATION, is a failure, not a reason to wait. Start levels are used because
 * the bnd launcher raises them after the framework's STARTED event, so that event alone says nothing.
 */
final class LabReadiness implements FrameworkListener {

    /** What {@link #check()} found: ready, a reason to wait, or a failure. */
    record Status(boolean ready, boolean failed, String reason) {
        static final Status READY = new Status(true, false, null);

        static Status waitFor(String reason) {
            return new Status(false, false, reason);
        }

        static Status failure(String reason) {
            return new Status(false, true, reason);
        }
    }

    private final BundleContext context;
    private final Supplier<ServiceComponentRuntime> scr;
    private final Supplier<ConfigurationAdmin> configAdmin;
    private final Map<Long, String> startFailures = new ConcurrentHashMap<>();
    private final DeclaredComponents declaredComponents = new DeclaredComponents();
    private final GoshStartup gosh;
    /** Whether the last {@link #check()} stopped at the bundles: only a bundle or framework event changes that. */
    private volatile boolean waitingForBundles = true;

    /** @param goshRan told when Gogo's shell has finished its start-up, a change no event announces */
    LabReadiness(BundleContext context, Supplier<ServiceComponentRuntime> scr,
            Supplier<ConfigurationAdmin> configAdmin, Runnable goshRan) {
        this.context = context;
        this.scr = scr;
        this.configAdmin = configAdmin;
        this.gosh = new GoshStartup(context, goshRan);
        context.addFrameworkListener(this);
    }

    void close() {
        gosh.close();
        try {
            context.removeFrameworkListener(this);
        } catch (IllegalStateException stopped) {
            // our bundle is already stopped; the listener went with it
        }
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        Bundle bundle = event.getBundle();
        if (event.getType() == FrameworkEvent.ERROR && bundle != null && bundle.getBundleId() != 0) {
            Throwable t = event.getThrowable();
            startFailures.put(bundle.getBundleId(), t == null ? "error" : FailureMessage.of(t));
        }
    }

    Status check() {
        Status bundles = checkBundles();
        waitingForBundles = !bundles.ready() && !bundles.failed();
        if (waitingForBundles) {
            declaredComponents.countAhead(context.getBundles());
        }
        Status components = bundles.ready() ? checkComponents() : bundles;
        return components.ready() && !gosh.done() ? Status.waitFor("Gogo's shell to finish starting") : components;
    }

    /**
     * Whether the last {@link #check()} waited for a bundle or the start level: what it looked at (bundles' states
     * and start levels, the framework's start level, the start failures the framework reported) changes only
     * with a bundle or framework event, so the next look need not come at a service event.
     */
    boolean waitingForBundles() {
        return waitingForBundles;
    }

    private Status checkBundles() {
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_ID);
        if (system.getState() != Bundle.ACTIVE) {
            return Status.waitFor("the framework to start");
        }
        int frameworkLevel = system.adapt(FrameworkStartLevel.class).getStartLevel();
        for (Bundle bundle : context.getBundles()) {
            BundleStartLevel startLevel = bundle.adapt(BundleStartLevel.class);
            if (bundle.getBundleId() == 0 || isFragment(bundle) || startLevel == null
                    || !startLevel.isPersistentlyStarted()) {
                continue;
            }
            int state = bundle.getState();
            if (state == Bundle.ACTIVE || state == Bundle.STARTING && startLevel.isActivationPolicyUsed()) {
                continue;
            }
            String failure = startFailures.get(bundle.getBundleId());
            if (failure != null && state != Bundle.STARTING) {
                return Status.failure("bundle " + bundle.getSymbolicName() + " did not start: " + failure);
            }
            if (startLevel.getStartLevel() > frameworkLevel) {
                return Status.waitFor("start level " + startLevel.getStartLevel() + " (framework is at "
                        + frameworkLevel + ")");
            }
            return Status.waitFor("bundle " + bundle.getSymbolicName() + " to start (" + stateName(state) + ")");
        }
        return Status.READY;
    }

    /**
     * The first component that failed on its own, else one that failed only because a service it
     * needed failed to activate (SCR: "Unable to get service for reference"), else the first reason
     * to wait: a failure is never hidden behind a wait, nor a cause behind its consequences.
     */
    private Status checkComponents() {
        ServiceComponentRuntime runtime = scr.get();
        if (runtime == null) {
            return Status.waitFor("the ServiceComponentRuntime service");
        }
        // every bundle is active by now: a lab without Configuration Admin has no configurations
        ConfigurationAdmin cm = configAdmin.get();
        List<ComponentReadiness.Configured> configured = new ArrayList<>();
        try {
            Configuration[] all = cm == null ? null : cm.listConfigurations(null);
            for (Configuration c : all == null ? new Configuration[0] : all) {
                configured.add(new ComponentReadiness.Configured(c.getPid(), c.getFactoryPid()));
            }
        } catch (IOException | InvalidSyntaxException e) {
            return Status.failure("Configuration Admin cannot list its configurations: " + FailureMessage.of(e));
        }
        List<ComponentReadiness.Component> components = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getState() != Bundle.ACTIVE) {
                continue;
            }
            Collection<ComponentDescriptionDTO> descriptions = runtime.getComponentDescriptionDTOs(bundle);
            int declared = declaredComponents.of(bundle);
            if (descriptions.size() < declared) {
                return Status.waitFor("SCR to take on the components of bundle " + bundle.getSymbolicName() + " ("
                        + descriptions.size() + " of " + declared + ")");
            }
            for (ComponentDescriptionDTO d : descriptions) {
                boolean enabled = runtime.isComponentEnabled(d);
                components.add(new ComponentReadiness.Component(d, enabled,
                        enabled ? runtime.getComponentConfigurationDTOs(d) : List.of()));
            }
        }
        return ComponentReadiness.check(components, configured);
    }

    /** What SCR says of a component whose reference's service failed to activate: a consequence, not a cause. */
    static final String FAILED_FOR_A_SERVICE = "Unable to get service for reference";

    /**
     * The DTO's failure is a stack trace: the message of its innermost exception ("Caused by:" last),
     * without the exception's class name, or that class's simple name when it has no message.
     */
    static String rootMessage(String failure) {
        if (failure == null) {
            return "(no failure text)";
        }
        String root = null;
        for (String line : failure.lines().toList()) {
            if (root == null || line.startsWith("Caused by: ")) {
                root = line.startsWith("Caused by: ") ? line.substring("Caused by: ".length()) : line;
            }
        }
        Matcher m = EXCEPTION_LINE.matcher(root.strip());
        if (!m.matches()) {
            return root.strip();
        }
        return m.group(3) == null || m.group(3).isBlank() ? m.group(2) : m.group(3).strip();
    }

    /** "java.lang.IllegalArgumentException: message": the package, the simple name and the message. */
    private static final Pattern EXCEPTION_LINE = Pattern.compile("((?:[a-z_$][\\w$]*\\.)+)([A-Z][\\w$]*)(?::(.*))?");

    private static boolean isFragment(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }

    private static String stateName(int state) {
        switch (state) {
            case Bundle.INSTALLED: return "INSTALLED";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            case Bundle.ACTIVE: return "ACTIVE";
            default: return "UNINSTALLED";
        }
    }
}
