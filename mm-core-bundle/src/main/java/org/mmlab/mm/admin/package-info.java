/**
 * What users and tools, not drivers, do with the running guest: the kernel's /proc and debugfs files as
 * data and as text, compaction and kcompactd, the workload, mm:check, pages, and the guest's
 * configuration. The mm: commands are a thin layer over these services. Each follows the running guest
 * across reboots; with none running, a call says so (IllegalStateException). What drivers call is
 * {@code org.mmlab.mm}; the race lab's hooks and switches are {@code org.mmlab.mm.lab}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.5.0")
package org.mmlab.mm.admin;
