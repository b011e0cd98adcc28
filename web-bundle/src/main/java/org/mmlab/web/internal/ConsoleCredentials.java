package org.mmlab.web.internal;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.HttpServiceRuntimeConstants;

/**
 * The Web Console's credentials: as they ship (user admin, password admin) only while nothing beyond
 * this machine can reach it.
 * <p>
 * Rules: (i) a lab configured to listen beyond the loopback interface, without a password of the
 * user's ({@value #PASSWORD}), gets one made for the run, set as the property the Web Console reads
 * before it starts (it starts at a later start level than this bundle) and told in the lab's
 * greeting; (ii) if Felix HTTP comes to listen beyond loopback later (its host changed through
 * Configuration Admin) while the console still has the password it shipped with, a password is made
 * then, written into the console's configuration and told in the OSGi log.
 */
@Component(service = ConsoleCredentials.class, immediate = true)
public class ConsoleCredentials {

    /** The framework (or system) property the Web Console reads its password from. */
    static final String PASSWORD = "felix.webconsole.password";
    static final String USERNAME = "felix.webconsole.username";
    /** The Web Console's configuration PID. */
    static final String CONSOLE_PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";

    private final BundleContext context;
    private final Logger log;
    private volatile String made;
    private boolean setProperty;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configAdmin;

    @Activate
    public ConsoleCredentials(BundleContext context,
            @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL) Logger log) {
        this.context = context;
        this.log = log;
        if (!WebAddress.configuredLoopback(context) && context.getProperty(PASSWORD) == null) {
            made = newPassword();
            System.setProperty(PASSWORD, made);
            setProperty = true;
        }
    }

    @Deactivate
    void deactivate() {
        if (setProperty) {
            System.clearProperty(PASSWORD);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    void bindRuntime(HttpServiceRuntime runtime, Map<String, Object> properties) {
        guard(properties);
    }

    void updatedRuntime(HttpServiceRuntime runtime, Map<String, Object> properties) {
        guard(properties);
    }

    void unbindRuntime(HttpServiceRuntime runtime) {
        // nothing listens: nothing to guard
    }

    /** The credentials, in words, for the greeting. */
    String describe() {
        String password = made;
        if (password != null) {
            return "user " + user() + ", password " + password + ": made for this run, as the lab listens beyond this"
                    + " machine; choose one with -D" + PASSWORD + "=...";
        }
        if (context.getProperty(PASSWORD) != null) {
            return "user " + user() + " and the password you set";
        }
        return "user admin, password admin: reachable from this machine only";
    }

    private String user() {
        String user = context.getProperty(USERNAME);
        return user == null ? "admin" : user;
    }

    private void guard(Map<String, Object> properties) {
        boolean beyondLoopback = WebBanner.endpoints(properties.get(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT))
                .stream().anyMatch(e -> !WebAddress.endpointLoopback(e));
        ConfigurationAdmin cm = configAdmin;
        if (!beyondLoopback || made != null || context.getProperty(PASSWORD) != null || cm == null) {
            return;
        }
        try {
            Configuration console = cm.getConfiguration(CONSOLE_PID, "?");
            Dictionary<String, Object> props = console.getProperties();
            if (props != null && props.get("password") != null) {
                return; // the user chose one in the console
            }
            String password = newPassword();
            Dictionary<String, Object> update = props == null ? new Hashtable<>() : props;
            update.put("password", password);
            console.update(update);
            made = password;
            if (log != null) {
                log.warn("the Web Console listens beyond this machine now ({}): its password as shipped was replaced;"
                        + " user {}, password {}", properties.get(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT),
                        user(), password);
            }
        } catch (IOException | IllegalStateException e) {
            if (log != null) {
                log.error("the Web Console listens beyond this machine with its password as shipped, and it could not"
                        + " be replaced: {}", e.getMessage());
            }
        }
    }

    private static String newPassword() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
