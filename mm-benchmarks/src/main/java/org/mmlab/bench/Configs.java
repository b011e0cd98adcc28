package org.mmlab.bench;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.Map;

/** A DS component's annotation-typed configuration outside the framework, as the benchmarks boot them. */
final class Configs {
    private Configs() {
    }

    /** The given values; every other method answers its default, as DS would with no configuration. */
    @SuppressWarnings("unchecked")
    static <T extends Annotation> T of(Class<T> type, Map<String, Object> values) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (p, method, args) -> values.getOrDefault(method.getName(), method.getDefaultValue()));
    }
}
