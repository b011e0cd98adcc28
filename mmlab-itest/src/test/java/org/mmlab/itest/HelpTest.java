package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * `help`, where the README sends a new user: it lists every command the lab's bundles register, and
 * `help NAME` describes each. Gogo's help finds only commands that are methods of their service.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class HelpTest {
    @InjectService(timeout = 15_000)
    CommandProcessor processor;

    @InjectBundleContext
    BundleContext context;

    @Test
    void helpListsEveryCommandOfTheLabsScopesAndDescribesEach() throws Exception {
        List<String> commands = new ArrayList<>();
        for (String scope : List.of("mm", "balloon", "virtio", "vmw", "lab")) {
            for (ServiceReference<?> ref : context.getServiceReferences((String) null, "(osgi.command.scope=" + scope
                    + ")")) {
                Object functions = ref.getProperty("osgi.command.function");
                for (Object f : functions instanceof String[] names ? names : new Object[] {functions}) {
                    commands.add(scope + ":" + f);
                }
            }
        }
        assertThat(commands).contains("mm:migration", "mm:check", "lab:race", "vmw:status");

        try (GogoSession gogo = new GogoSession(processor)) {
            String help = String.valueOf(gogo.value("help"));
            for (String command : commands) {
                assertThat(help).as("help lists " + command).containsPattern("(?m)^" + command + "$");
                assertThat(String.valueOf(gogo.value("help " + command))).as("help " + command)
                        .doesNotContain("No methods found");
            }
        }
    }
}
