package org.mmlab.virtio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** The default device "0" is made only when the factory has no configuration at all. */
class DefaultDeviceTest {
    /** A Configuration Admin that knows only factory configurations, made with getFactoryConfiguration(). */
    private static final class Cm {
        final List<String> made = new ArrayList<>();
        final List<Dictionary<String, ?>> updates = new ArrayList<>();

        ConfigurationAdmin admin() {
            return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {ConfigurationAdmin.class}, (p, m, a) -> switch (m.getName()) {
                        case "listConfigurations" -> made.isEmpty() ? null : new Configuration[made.size()];
                        case "getFactoryConfiguration" -> {
                            made.add(a[0] + "~" + a[1]);
                            yield configuration();
                        }
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }

        @SuppressWarnings("unchecked")
        Configuration configuration() {
            return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Configuration.class}, (p, m, a) -> {
                        if (m.getName().equals("update")) {
                            updates.add((Dictionary<String, ?>) a[0]);
                            return null;
                        }
                        throw new UnsupportedOperationException(m.getName());
                    });
        }
    }

    @Test
    void aLabWithoutVirtioConfigurationsGetsDeviceZeroWithDefaultsAndFreePageReporting() throws Exception {
        Cm cm = new Cm();

        assertThat(DefaultDevice.createUnlessConfigured(cm.admin())).isTrue();

        assertThat(cm.made).containsExactly("org.mmlab.virtio.balloon~0");
        assertThat(cm.updates).hasSize(1);
        assertThat(cm.updates.get(0).size()).isOne();
        assertThat(cm.updates.get(0).get("offeredFeatures"))
                .isEqualTo("MUST_TELL_HOST,STATS_VQ,DEFLATE_ON_OOM,FREE_PAGE_HINT,PAGE_POISON,REPORTING");
    }

    @Test
    void anExistingConfigurationIsLeftAlone() throws Exception {
        Cm cm = new Cm();
        cm.made.add("org.mmlab.virtio.balloon~mine");

        assertThat(DefaultDevice.createUnlessConfigured(cm.admin())).isFalse();

        assertThat(cm.made).containsExactly("org.mmlab.virtio.balloon~mine");
        assertThat(cm.updates).isEmpty();
    }
}
