/** The VMware balloon driver, its backdoor transport and the simulated hypervisor: private to vmware-bundle. */
package org.mmlab.vmware.internal;
