/**
 * What the lab's balloon driver bundles share beyond mm/balloon.c (no kernel counterpart: a kernel
 * driver has one static device): their devices by name, and the default device "0" each bundle
 * creates as a hypervisor gives a guest one, and their hosts taking and giving back frames in runs.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.mmlab.balloon.devices;
