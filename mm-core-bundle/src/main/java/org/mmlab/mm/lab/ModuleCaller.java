package org.mmlab.mm.lab;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What kernel code that calls a driver's functions needs of the lab: the use-after-unload check around
 * each call ({@link MmLab#callIntoModule}). The lab's workqueues, interrupt and watch dispatchers take one,
 * so that a plain unit test can give them {@link #BUILT_IN}.
 */
@ProviderType
public interface ModuleCaller {
    /** Calls into code of no module (plain unit tests): nothing to check. */
    ModuleCaller BUILT_IN = (callee, call, pfn) -> () -> { };

    /** See {@link MmLab#callIntoModule}. */
    ModuleCall callIntoModule(Object callee, String call, int pfn);
}
