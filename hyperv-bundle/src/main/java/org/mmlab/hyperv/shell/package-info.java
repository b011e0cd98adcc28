/** The hv: Gogo commands. Private to hyperv-bundle. */
package org.mmlab.hyperv.shell;
