package org.mmlab.mm.lab;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A call from kernel code into a driver module's code ({@link MmLab#callIntoModule}), checked
 * at entry and, by {@link #close()}, at return: a module that went away in between is the race seed
 * 003 names ("module goes away between here and when the function returns").
 */
@ProviderType
public interface ModuleCall extends AutoCloseable {
    /** The return from the driver's code. */
    @Override
    void close();
}
