package org.mmlab.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.apache.felix.webconsole.spi.ValidationException;
import org.junit.jupiter.api.Test;

/** The lab's own check of a configuration the console writes: its properties only, refused in its words. */
class ConfigurationChecksTest {

    @Test
    void theCheckSeesTheConfigurationsOwnPropertiesAndItsRefusalIsTheConsoles() throws Exception {
        Dictionary<String, Object> written = new Hashtable<>();
        written.put("service.pid", "org.mmlab.virtio.balloon~0");
        written.put("service.factoryPid", "org.mmlab.virtio.balloon");
        written.put("hostTarget", "lots");
        Map<?, ?>[] seen = new Map<?, ?>[1];

        assertThatThrownBy(() -> ConfigurationChecks.check(properties -> {
            seen[0] = properties;
            throw new IllegalArgumentException("hostTarget=lots: 'lots' is not a size");
        }, written)).isInstanceOf(ValidationException.class).hasMessage("hostTarget=lots: 'lots' is not a size");
        assertThat(seen[0]).isEqualTo(Map.of("hostTarget", "lots"));
    }

    @Test
    void aFactoryConfigurationIsCheckedAsItsFactorys() {
        assertThat(ConfigurationChecks.factoryOf("org.mmlab.virtio.balloon~0")).isEqualTo("org.mmlab.virtio.balloon");
        assertThat(ConfigurationChecks.factoryOf("org.mmlab.mm")).isNull();
        assertThat(ConfigurationChecks.factoryOf(null)).isNull();
    }
}
