/** The race lab's runner, catalogue and commands. Private to the bundle. */
package org.mmlab.lab.internal;
