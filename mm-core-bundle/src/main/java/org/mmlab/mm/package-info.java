/**
 * The simulated guest kernel's memory manager, as drivers and tools see it: page frames by PFN,
 * the buddy allocator, page references and locks, and the kernel's constants and flags.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.9.0")
package org.mmlab.mm;
