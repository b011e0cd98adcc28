package org.mmlab.mm.lab;

/**
 * How the core protects its calls into driver modules, chosen per run, so that one schedule can be
 * run against each (docs/race-lab.md says which policy survives which race).
 */
public enum ModulePolicy {
    /** The 2012 design: nothing pins the driver while the core holds its pages. */
    NONE("none"),
    /** try_module_get() when a page of the driver is isolated, module_put() when it is back or migrated; unloading waits (rmmod: "in use"). */
    MODULE_REF("module-ref"),
    /** The mainline design: core-owned operations, and the driver drains its pages in its remove path. */
    DRAIN("drain"),
    /**
     * The lab's proposal: no per-page cost; when a driver bundle starts stopping (a synchronous bundle
     * listener, before its services unregister), new isolations of its pages fail and the stop waits
     * until its isolated pages and calls in flight are back. Protects drivers that do not drain.
     */
    OSGI_DRAIN("osgi-drain");

    private final String value;

    ModulePolicy(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** By its value ("none", "module-ref", "drain", "osgi-drain"); a clear error otherwise. */
    public static ModulePolicy parse(String value) {
        for (ModulePolicy p : values()) {
            if (p.value.equals(value)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no module policy '" + value + "': use none, module-ref, drain or osgi-drain");
    }
}
