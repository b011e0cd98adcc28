/**
 * The race lab's hooks into the simulated kernel, which no kernel has: module-protection policies,
 * injection points, the use-after-unload checker, the dmesg ring read back, and what the reviewed v7
 * virtio patch did that no merged kernel does. Drivers and the balloon infrastructure use them so that
 * the lab's schedules and checkers see their paths; the kernel's own API is {@code org.mmlab.mm}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.11.0")
package org.mmlab.mm.lab;
