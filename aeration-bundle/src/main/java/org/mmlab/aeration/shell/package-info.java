/** The aerate: Gogo commands. Private to aeration-bundle. */
package org.mmlab.aeration.shell;
