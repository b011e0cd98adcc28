/** The lab: Gogo commands. Private to the race lab. */
package org.mmlab.lab.shell;
