package org.mmlab.mm.lab;

/**
 * How the core protects its calls into driver modules, chosen per run, so that one schedule can be
 * run against each (docs/race-lab.md says which policy survives which race). The mainline design is
 * no policy: under the 2025 contract the core takes no module reference (neither mm/migrate.c nor
 * mm/balloon.c calls try_module_get()), and what protects an unload is the driver's remove path,
 * which drains its balloon (virtio's remove_common() loops until num_pages is 0, so it waits for
 * the pages migration has isolated). That is the 2025 contract under {@link #NONE}.
 */
public enum ModulePolicy {
    /** Nothing in the core pins the driver while it holds the driver's pages: the 2012 and the mainline design. */
    NONE("none"),
    /**
     * try_module_get() when a page of the driver is isolated, module_put() when it is back or migrated.
     * A stop waits at GOING, before the driver's exit path, until the references are gone; after 10 s
     * it logs "rmmod: ERROR: Module ... is in use" and unloads anyway, because a bundle stop cannot be
     * refused (the kernel's delete_module() would fail with -EWOULDBLOCK and keep the module).
     */
    MODULE_REF("module-ref"),
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

    /** By its value ("none", "module-ref", "osgi-drain"); a clear error otherwise. */
    public static ModulePolicy parse(String value) {
        for (ModulePolicy p : values()) {
            if (p.value.equals(value)) {
                return p;
            }
        }
        if ("drain".equals(value)) { // the name the mainline design had here before it was seen to be none
            throw new IllegalArgumentException("no module policy 'drain': the mainline design is the 2025 contract"
                    + " with policy none (the driver drains in its remove); use none, module-ref or osgi-drain");
        }
        throw new IllegalArgumentException("no module policy '" + value + "': use none, module-ref or osgi-drain");
    }
}
