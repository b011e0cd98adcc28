/** The mm: Gogo commands: the guest's /proc views, experiments and checks. Private to mm-core. */
package org.mmlab.mm.shell;
