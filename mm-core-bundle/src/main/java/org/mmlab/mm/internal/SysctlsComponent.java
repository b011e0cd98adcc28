package org.mmlab.mm.internal;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

import org.mmlab.mm.admin.Sysctls;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The running guest's vm sysctls (Sysctls): mm/compaction.c's vm_compaction table and mm/page_alloc.c's
 * percpu_pagelist_high_fraction (v6.18), each written through its handler, which refuses what it refuses.
 */
@Component(service = Sysctls.class)
public class SysctlsComponent implements Sysctls {
    /** One /proc/sys/vm file: its value and its proc_handler. */
    private record Sysctl(IntSupplier value, IntConsumer handler) {
    }

    private final RunningGuest guests;

    @Activate
    public SysctlsComponent(@Reference RunningGuest guests) {
        this.guests = guests;
    }

    /** The running guest's table; percpu_pagelist_high_fraction only where it booted with pagesets. */
    private Map<String, Sysctl> table() {
        GuestMemory g = guests.get().guest();
        Compaction c = g.compaction();
        Map<String, Sysctl> t = new TreeMap<>();
        t.put("vm.compaction_proactiveness", new Sysctl(c::compactionProactiveness, c::setCompactionProactiveness));
        t.put("vm.extfrag_threshold", new Sysctl(c::extfragThreshold, c::setExtfragThreshold));
        PageAllocPcp pcp = g.allocator().pcp;
        if (pcp != null) {
            t.put("vm.percpu_pagelist_high_fraction",
                    new Sysctl(pcp::percpuPagelistHighFraction, pcp::setPercpuPagelistHighFraction));
        }
        return t;
    }

    @Override
    public SortedMap<String, Integer> values() {
        SortedMap<String, Integer> values = new TreeMap<>();
        table().forEach((name, s) -> values.put(name, s.value().getAsInt()));
        return values;
    }

    @Override
    public int get(String name) {
        return sysctl(name).value().getAsInt();
    }

    @Override
    public void set(String name, int value) {
        sysctl(name).handler().accept(value);
    }

    private Sysctl sysctl(String name) {
        Map<String, Sysctl> t = table();
        Sysctl s = t.get(name);
        if (s == null) {
            throw new IllegalArgumentException("'" + name + "' is not a sysctl of the lab: give one of "
                    + String.join(", ", t.keySet()));
        }
        return s;
    }
}
