package org.mmlab.mm.admin;

import java.util.SortedMap;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The running guest's vm sysctls that the lab models (/proc/sys/vm, kernel/sysctl.c's vm_table and the
 * tables mm/ registers), by their sysctl names, e.g. {@code vm.extfrag_threshold}. A reboot sets them back
 * to their defaults, as a boot does. A bad name or value is refused (IllegalArgumentException, saying what
 * is allowed) and changes nothing.
 */
@ProviderType
public interface Sysctls {
    /** {@code sysctl vm}: every modelled sysctl and its value, by name. */
    SortedMap<String, Integer> values();

    /** {@code sysctl NAME}: one sysctl's value. */
    int get(String name);

    /** {@code sysctl -w NAME=VALUE}: through the sysctl's own handler, as a write to its /proc/sys file. */
    void set(String name, int value);
}
