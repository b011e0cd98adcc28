/**
 * The VMware balloons of the lab, as tools, tests and the race lab see them: each device's
 * negotiated capabilities, the hypervisor's target and the guest's balloon in 4 KiB and 2 MiB pages,
 * what the simulated hypervisor holds, and the hypervisor's own acts (a new target, a misbehaviour).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.mmlab.vmware;
