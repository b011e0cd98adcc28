package org.mmlab.mm.lab;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The running guest's debug checkers (each like a CONFIG_DEBUG_* option, switched at run time) and the
 * designs the races compare, as mm:debug shows and switches them. A switch applies at once and lasts
 * until the guest reboots (mm:config's debugVm, debugList and lockdep set them from boot).
 */
@ProviderType
public interface DebugSwitches {
    /** The switches and what they were and are. */
    Debug state();

    /** Switches one on or off. */
    void set(Switch which, boolean on);

    /**
     * KASAN's quarantine: this many freed mappings are held back from reuse (0: reused at once).
     *
     * @throws IllegalArgumentException for a size outside 0 to 4096
     */
    void setKasanQuarantine(int objects);

    /** The switches, by the name mm:debug takes. */
    enum Switch {
        /** CONFIG_DEBUG_VM: VM_BUG_ON_PAGE, bad page state and refcount checks. */
        VM("vm"),
        /** CONFIG_DEBUG_LIST: every list_add and list_del validated. */
        LIST("list"),
        /** The use-after-unload checker: a call into a driver module that is gone, reported. */
        UNLOAD("unload"),
        /** Lockdep: lock-order inversions and unlock imbalances. */
        LOCKDEP("lockdep"),
        /** KASAN (and KMSAN): a freed, reused or uninitialised mapping used. */
        KASAN("kasan"),
        /** Weak memory: store buffers for page-&gt;mapping, drained by barriers (smp_wmb()). */
        WEAKMEM("weakmem"),
        /** Seed 000 rule iii: isolation re-tests the page under its lock. */
        RETEST("retest"),
        /** Seed 001: isolation takes its reference with get_page_unless_zero(). */
        UNLESSZERO("unlesszero"),
        /**
         * The per-cpu page lists (struct per_cpu_pages); off is zone_pcp_disable() on every zone until switched on:
         * every order-0 and low-order page goes straight to and from the buddy allocator, in its order.
         *
         * @since 2.9
         */
        PCP("pcp");

        private final String value;

        Switch(String value) {
            this.value = value;
        }

        /** The name mm:debug takes, e.g. "weakmem". */
        public String value() {
            return value;
        }

        /** By its name; a clear error otherwise. */
        public static Switch parse(String value) {
            for (Switch s : values()) {
                if (s.value.equals(value)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("no checker '" + value
                    + "': use vm, list, unload, lockdep, kasan, kasan-quarantine, weakmem, retest, unlesszero or pcp");
        }
    }

    /**
     * The switches now, and what the checkers reported since boot.
     *
     * @param switches         each switch, on or off
     * @param kasanQuarantine  freed mappings KASAN holds back from reuse
     * @param kasanSuppressed  KASAN reports not printed (only the first of a boot is, as without kasan_multi_shot)
     * @param reports          reports the checkers printed since boot
     * @param taints           the taint letters so far (B bad page, W warning, D died); empty when not tainted
     */
    record Debug(Map<Switch, Boolean> switches, int kasanQuarantine, long kasanSuppressed, long reports,
            String taints) {
        public Debug {
            switches = Collections.unmodifiableMap(new EnumMap<>(switches));
        }

        /** Whether the switch is on. */
        public boolean on(Switch which) {
            return switches.get(which);
        }
    }
}
