/**
 * What the lab's balloon driver bundles share beyond mm/balloon.c (no kernel counterpart: a kernel
 * driver has one static device): their devices by name, and the default device "0" each bundle
 * creates as a hypervisor gives a guest one.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.mmlab.balloon.devices;
