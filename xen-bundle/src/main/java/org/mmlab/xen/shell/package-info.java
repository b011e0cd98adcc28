/** The xen: Gogo commands. Private to xen-bundle. */
package org.mmlab.xen.shell;
