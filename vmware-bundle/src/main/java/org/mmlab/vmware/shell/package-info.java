/** The vmw: Gogo commands. Private to vmware-bundle. */
package org.mmlab.vmware.shell;
