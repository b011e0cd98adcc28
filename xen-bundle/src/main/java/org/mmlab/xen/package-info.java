/**
 * The XEN balloons of the lab, as tools, tests and the race lab see them: each device's balloon_stats, the
 * target its xenstore holds, the frames the hypervisor holds, and what can be asked of them (a new
 * memory/target, pages for a backend driver: alloc_xenballooned_pages()).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.mmlab.xen;
