/** The simulated kernel's memory manager: private to mm-core. */
package org.mmlab.mm.internal;
