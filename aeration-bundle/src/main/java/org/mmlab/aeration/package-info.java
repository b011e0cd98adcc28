/**
 * Free page hinting as the lab runs it: which design is in force (off, Duyck's 2019 aerator, mainline
 * free page reporting), its state, and running its pending work now. The kernel-side interfaces the
 * designs and devices share are mm-core's {@code org.mmlab.mm.hinting}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.mmlab.aeration;
