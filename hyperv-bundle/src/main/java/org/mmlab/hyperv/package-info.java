/**
 * The Hyper-V balloons of the lab, as tools, tests and the race lab see them: each device's negotiated
 * dynamic-memory protocol, the pages it ballooned and the host holds, the hot-add space and what of it is
 * online, and the host's own acts (a balloon size it wants, a hot-add).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.mmlab.hyperv;
