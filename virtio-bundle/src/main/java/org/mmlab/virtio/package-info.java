/**
 * The virtio-balloon devices of the lab, as tools and tests see them: each device's
 * features, the host's target and the guest's actual size, and what the simulated host holds.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.mmlab.virtio;
