/**
 * The virtio-balloon devices of the lab, as tools and tests see them: each device's
 * features, the host's target and the guest's actual size, what the simulated host holds, the host's
 * target set and awaited, and the driver module's parameters.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.mmlab.virtio;
