/** The XEN balloon driver, its simulated hypercalls and xenstore: private to xen-bundle. */
package org.mmlab.xen.internal;
