package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/** The lab as test.bndrun assembles it: everything resolves, starts and activates. */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class LabResolvesTest {

    @InjectBundleContext
    BundleContext context;

    @Test
    void theLabContainsEveryPartItIsMadeOf() {
        List<String> names = Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName).collect(Collectors.toList());

        assertThat(names).contains("mm-core-bundle", "cli-bundle", "org.apache.felix.scr",
                "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.shell", "org.apache.felix.gogo.command",
                "org.apache.felix.configadmin", "org.apache.felix.metatype", "org.apache.felix.log");
    }

    @Test
    void everyBundleIsActiveAndEveryFragmentResolved() {
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = (bundle.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
            int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            assertThat(bundle.getState()).as("state of %s (%s)", bundle.getSymbolicName(), bundle.getLocation())
                    .isEqualTo(expected);
        }
    }

    @Test
    void noMmlabComponentFailedToActivateOrLacksAReference(
            @InjectService(timeout = 10_000) ServiceComponentRuntime scr) {
        List<String> broken = scr.getComponentDescriptionDTOs().stream()
                .filter(d -> d.bundle.symbolicName.startsWith("mm-") || d.bundle.symbolicName.startsWith("cli-"))
                .flatMap(d -> scr.getComponentConfigurationDTOs(d).stream())
                .filter(c -> c.state == ComponentConfigurationDTO.FAILED_ACTIVATION
                        || c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE)
                .map(c -> c.description.name + " in state " + c.state
                        + (c.failure != null ? ": " + c.failure
                                : " missing " + Arrays.stream(c.unsatisfiedReferences).map(r -> r.name)
                                        .collect(Collectors.joining(", "))))
                .collect(Collectors.toList());

        assertThat(broken).isEmpty();
    }
}
