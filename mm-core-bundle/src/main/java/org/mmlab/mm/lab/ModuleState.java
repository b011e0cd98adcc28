package org.mmlab.mm.lab;

/**
 * A driver module's state (include/linux/module.h: MODULE_STATE_LIVE, MODULE_STATE_GOING), plus GONE:
 * unloaded, its text freed. A driver bundle is a module: starting it loads one, stopping it unloads it.
 */
public enum ModuleState {
    LIVE,
    /** Being unloaded: its exit path runs; try_module_get() fails. */
    GOING,
    /** Unloaded: a call into its code is a use after unload. */
    GONE
}
