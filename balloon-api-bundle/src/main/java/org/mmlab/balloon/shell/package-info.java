/** The balloon: Gogo commands. Private to the bundle. */
package org.mmlab.balloon.shell;
